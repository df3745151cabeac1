// Text that comes from a host or another user (a lock's owner and message) is shown, never interpreted.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const hex = (c, width) => c.charCodeAt(0).toString(16).padStart(width, '0');
/**
 * `text` for one line of a terminal: control characters (C0, DEL, C1) and bidirectional overrides are shown as
 * escapes (`\n`, `\x1b`, `\u202e`), so no escape sequence reaches the terminal and a newline cannot start a line.
 */
export function visible(text) {
    return text.replace(CONTROL, (c) => {
        if (c === '\n')
            return '\\n';
        if (c === '\r')
            return '\\r';
        if (c === '\t')
            return '\\t';
        return c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
    });
}
/** JSON.stringify, with the characters it leaves raw that a terminal still acts on (C1, bidi) as `\u` escapes. */
export function jsonLine(value) {
    return JSON.stringify(value).replace(JSON_UNSAFE, (c) => `\\u${hex(c, 4)}`);
}
//# sourceMappingURL=visible.js.map