// API calls of issue 9 that the server of this version may not have yet; each is switched on when its
// endpoint lands, and this file goes once all are there.
export const FEATURES = {
  /** GET /accounts/{id}/messages?event_type= and a message's event_type. */
  messageEventTypes: false,
  /** POST /accounts/{id}/messages with the admin key. */
  sendMessage: false,
};
