import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';

describe('the server configuration', () => {
  it('runs on one machine with no variables set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, MEDIA_LISTEN_IP: '127.0.0.1', OFFER_TIMEOUT_MS: 20_000, ICE_SERVERS: [] });
    expect(config.MEDIASOUP_WORKERS).toBeGreaterThanOrEqual(1);
  });

  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'eighty', MEDIA_LISTEN_IP: 'localhost', LOG_LEVEL: 'loud' })).toThrow(
      /invalid configuration:\n {2}PORT: .*\n {2}LOG_LEVEL: .*\n {2}MEDIA_LISTEN_IP: /s,
    );
  });

  it('rejects an RTC port range that is upside down', () => {
    expect(() => loadConfig({ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '40000' })).toThrow('RTC_MIN_PORT is above RTC_MAX_PORT');
  });

  it('reads TURN servers from ICE_SERVERS as JSON', () => {
    const servers = [{ urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], username: 'u', credential: 'p' }];
    expect(loadConfig({ ICE_SERVERS: JSON.stringify(servers) }).ICE_SERVERS).toEqual(servers);
  });

  it('rejects ICE_SERVERS that is not JSON, or names a non-TURN URL', () => {
    expect(() => loadConfig({ ICE_SERVERS: 'turn:x' })).toThrow(/ICE_SERVERS: must be a JSON array of RTCIceServer objects/);
    expect(() => loadConfig({ ICE_SERVERS: '[{"urls":"http://x"}]' })).toThrow(/ICE_SERVERS/);
  });

  it('runs on the embedded SFU unless MEDIA_ENGINE says livekit, which needs the server’s URL and key pair', () => {
    expect(loadConfig({}).MEDIA_ENGINE).toBe('mediasoup');
    expect(() => loadConfig({ MEDIA_ENGINE: 'livekit' })).toThrow('MEDIA_ENGINE=livekit needs LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET');
    expect(() => loadConfig({ MEDIA_ENGINE: 'livekit', LIVEKIT_URL: 'ws://127.0.0.1:7880', LIVEKIT_API_KEY: 'k' })).toThrow('needs LIVEKIT_API_SECRET');
    expect(() => loadConfig({ MEDIA_ENGINE: 'livekit', LIVEKIT_URL: 'http://127.0.0.1:7880' })).toThrow(/LIVEKIT_URL: must be a ws:\/\/ or wss:\/\/ URL/);
    expect(() => loadConfig({ MEDIA_ENGINE: 'janus' })).toThrow(/MEDIA_ENGINE/);
    const config = loadConfig({ MEDIA_ENGINE: 'livekit', LIVEKIT_URL: 'wss://media.example.org', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' });
    expect(config).toMatchObject({ MEDIA_ENGINE: 'livekit', LIVEKIT_URL: 'wss://media.example.org', LIVEKIT_API_KEY: 'k' });
    expect(config.LIVEKIT_API_URL).toBeUndefined();
  });
});
