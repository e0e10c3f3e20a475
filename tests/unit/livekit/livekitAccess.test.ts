import { TokenVerifier, TrackSource } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { grantFor, publishableSources, tokenFor } from '../../../media/livekit/livekitAccess.js';

const keys = { apiKey: 'unit-key', apiSecret: 'a-secret-of-at-least-thirty-two-characters' };

describe('LiveKit access', () => {
  it('signs a token that opens its call’s room only, for a short time, with no room administration', async () => {
    const jwt = await tokenFor(keys, { room: 'S-1', identity: 'cust-1', name: 'SL-4K7', role: 'customer', mode: 'csl' });
    const claims = await new TokenVerifier(keys.apiKey, keys.apiSecret).verify(jwt);
    expect(claims.sub).toBe('cust-1');
    expect(claims.video).toMatchObject({ room: 'S-1', roomJoin: true, canSubscribe: true, canPublishData: true, roomCreate: false, roomAdmin: false, roomList: false, roomRecord: false, canUpdateOwnMetadata: false });
    expect(JSON.parse(claims.metadata!)).toEqual({ role: 'customer' });
    expect(claims.exp! - claims.nbf!).toBeLessThanOrEqual(600);
    await expect(new TokenVerifier(keys.apiKey, 'another-secret-of-thirty-two-characters!').verify(jwt)).rejects.toThrow();
  });

  it('lets the customer of a text call publish nothing, of a voice call no camera, and staff every source', () => {
    expect(publishableSources('customer', 'text')).toEqual([]);
    expect(grantFor({ room: 'S', role: 'customer', mode: 'text' })).toMatchObject({ canPublish: false, canPublishSources: [] });
    expect(publishableSources('customer', 'voice')).not.toContain('camera');
    expect(grantFor({ room: 'S', role: 'customer', mode: 'asl' }).canPublishSources).toEqual([TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE]);
    expect(grantFor({ room: 'S', role: 'technician', mode: 'text' }).canPublish).toBe(true);
  });
});
