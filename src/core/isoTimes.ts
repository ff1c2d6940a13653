// ISO-8601 texts of instants, remembered; every face writes its dates with these. Every TaskRouter response and
// event carries several (a task's creation, update, queue entry and start), most of them instants the server
// has formatted moments before, and `new Date(ms).toISOString()` costs about 1.2 µs on the machines we measure
// (4 to 8 per task create in a server profile). A bounded map keeps the recent ones; it is emptied when full,
// so it never grows.
const REMEMBERED = 512;

const millisTexts = new Map<number, string>();
const secondTexts = new Map<number, string>();

function remembered(texts: Map<number, string>, key: number, format: (key: number) => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    if (texts.size >= REMEMBERED) texts.clear();
    text = format(key);
    texts.set(key, text);
  }
  return text;
}

const formatMillis = (ms: number) => new Date(ms).toISOString();
const formatSecond = (second: number) => new Date(second * 1000).toISOString().replace('.000Z', 'Z');

/** `new Date(ms).toISOString()`: milliseconds included (`2026-01-02T03:04:05.678Z`). */
export function isoMillis(ms: number): string {
  return remembered(millisTexts, ms, formatMillis);
}

/** The whole second of `ms` (`2026-01-02T03:04:05Z`), as TaskRouter's REST dates are written. */
export function isoSeconds(ms: number): string {
  return remembered(secondTexts, Math.floor(ms / 1000), formatSecond);
}
