import { visibleControls } from './visible-text';

describe('visibleControls', () => {
  it('writes bidi controls as escapes, so "Admin\\u202Egnp.exe" cannot pose as "Adminexe.png"', () => {
    expect(visibleControls('Admin\u202Egnp.exe')).toBe('Admin\\u202Egnp.exe');
    const bidi = '\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069';
    expect(visibleControls(bidi)).toBe('\\u061C\\u200E\\u200F\\u202A\\u202B\\u202C\\u202D\\u202E\\u2066\\u2067\\u2068\\u2069');
  });

  it('writes other control characters as escapes and keeps tabs and line breaks', () => {
    expect(visibleControls('a\u0000b\u0007c\u001Bd\u007Fe\u0085f')).toBe('a\\u0000b\\u0007c\\u001Bd\\u007Fe\\u0085f');
    expect(visibleControls('line 1\r\n\tline 2\n')).toBe('line 1\r\n\tline 2\n');
  });

  it('leaves other text alone: right-to-left scripts, emoji with joiners, accents', () => {
    for (const text of ['שלום עולם', 'مرحبا', '👩‍💻 Zoë', 'Kraków']) expect(visibleControls(text)).toBe(text);
  });
});
