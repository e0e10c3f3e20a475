/** Minimal levelled logger writing one line per message to stderr. */
export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A logger that drops messages below `level`. */
export function createLogger(level: (typeof LEVELS)[number]): Logger {
  const threshold = LEVELS.indexOf(level);
  const write = (at: (typeof LEVELS)[number]) => (message: string, detail?: unknown) => {
    if (LEVELS.indexOf(at) < threshold) return;
    const suffix = detail === undefined ? '' : ` ${detail instanceof Error ? (detail.stack ?? detail.message) : JSON.stringify(detail)}`;
    process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase()} ${message}${suffix}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
