import type { Speaker, TranscriptLine } from '../../../signaling/index.js';
import { t, valueText, type Value } from '../i18n.js';

/** A speaker as people read them: their name, or their role (in the reader's language) when the name is a ticket id or empty. */
export function speakerName(speaker: Speaker): Value {
  return speaker.name || { key: `role.${speaker.role}` as const };
}

/** `speakerName` as text. */
export function speakerLabel(speaker: Speaker): string {
  return valueText(speakerName(speaker));
}

/**
 * A transcript line's words in the reader's language: events are rendered from their code (a step event's text, the
 * guide's own words, goes into its phrase), the rest as said.
 */
export function lineWords(line: TranscriptLine): string {
  return line.kind === 'event' && line.event ? t(`transcript.event.${line.event}`, { name: speakerLabel(line.speaker), text: line.text }) : line.text;
}

/** Local wall-clock time of a line, HH:MM:SS. */
export function lineTime(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** The transcript as a plain-text file: a heading, then one line per entry with time, kind, speaker and words. */
export function transcriptText(ticketId: string, lines: readonly TranscriptLine[]): string {
  const body = lines.map((line) => {
    const who = line.kind === 'event' ? '' : `${speakerLabel(line.speaker)}: `;
    return `[${lineTime(line.at)}] (${t(`transcript.kind.${line.kind}`)}) ${who}${lineWords(line)}`;
  });
  return [t('transcript.fileHeading', { ticketId }), '', ...body, ''].join('\n');
}

/** Adds a line to a transcript kept by a page, in `seq` order, ignoring one it already has (a push after a fetch). */
export function mergeLine(lines: TranscriptLine[], line: TranscriptLine): boolean {
  if (lines.some((known) => known.seq === line.seq)) return false;
  const at = lines.findIndex((known) => known.seq > line.seq);
  if (at < 0) lines.push(line);
  else lines.splice(at, 0, line);
  return true;
}
