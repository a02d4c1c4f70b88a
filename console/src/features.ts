// API calls of issue 9 that the server of this version may not have yet; each is switched on when its
// endpoint lands, and this file goes once all are there.
export const FEATURES = {
  eventTypes: false,
  rotateSecret: false,
  recover: false,
  sendMessage: false,
};
