/**
 * Text that users typed (file names, notes, reasons) placed into Markdown or a Slack message must read
 * as typed and do nothing else: no HTML, no links or images, no mentions such as <!channel>. Anything
 * a renderer would turn into a link by itself (a URL, www.…, an e-mail address) is shown as code,
 * which no renderer links.
 */
const LINKISH = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>`|]*|\bwww\.[^\s<>`|]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;

const entities = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function mapOutsideLinks(text: string, plain: (s: string) => string, link: (s: string) => string) {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(LINKISH)) {
    out += plain(text.slice(last, m.index)) + link(m[0]);
    last = m.index + m[0].length;
  }
  return out + plain(text.slice(last));
}

/** One line of user text inside Markdown (a table cell, a heading, a list item): newlines become spaces. */
export function markdownText(text: string | null | undefined): string {
  return mapOutsideLinks(
    (text ?? "").replace(/\r?\n/g, " "),
    // Backslash escapes for what makes links, images, emphasis, code and table cells; entities for HTML.
    (s) => entities(s.replace(/[\\`*_[\]|~!]/g, "\\$&")),
    (s) => `\`${s}\``,
  );
}

/** A paragraph or more of user text in Markdown: each line escaped, the line breaks kept. */
export function markdownBlock(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => markdownText(line))
    .join("\n");
}

/** User text inside a Slack (mrkdwn) message: &, < and > as Slack requires, links shown as code. */
export function slackText(text: string | null | undefined): string {
  return mapOutsideLinks(text ?? "", entities, (s) => `\`${entities(s)}\``);
}
