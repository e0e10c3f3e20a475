import { loadConfig } from './config.js';
import { startServer } from './createServer.js';

try {
  const config = loadConfig();
  const server = await startServer(config);
  const source = server.agents.source;
  console.log(`signline listening on ${server.url}  (customer: ${server.url}/support, agent: ${server.url}/agent)`);
  if (source.kind === 'demo') {
    console.log(`no AGENT_ACCOUNTS or AGENT_ACCOUNTS_FILE set: demo agent "${source.username}" with password "${source.password}" (this run only)`);
  }
  const stop = (signal: string) => {
    console.log(`${signal}: ending calls and shutting down`);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
