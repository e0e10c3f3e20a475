// Lua scripts of the Redis routing store. Each runs atomically in Redis; together they are the only writers.
// Static data (entry and agent JSON) is written once; the fields that change live in small hashes, so no
// script has to decode and re-encode JSON (Redis's cjson would turn empty arrays into objects).
//
// Keys, in this order wherever a script takes them: entries, entrySeq, entryOffer, agents, agentStatus,
// agentIdle, agentOffer, offers, deadlines, seq, holds, wrapUps (a sorted set of agents in wrap-up by its end).

const KEYS_PRELUDE = `
local entries, entrySeq, entryOffer = KEYS[1], KEYS[2], KEYS[3]
local agents, agentStatus, agentIdle, agentOffer = KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local offers, deadlines, seq, holds = KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local wrapUps = KEYS[12]
-- Drops the ticket's open offer, if any, and frees its agent (nobody's fault); returns the offer JSON or ''.
local function withdrawOffer(ticketId)
  local offerId = redis.call('HGET', entryOffer, ticketId)
  if not offerId then return '' end
  local offer = redis.call('HGET', offers, offerId) or ''
  redis.call('HDEL', offers, offerId)
  redis.call('ZREM', deadlines, offerId)
  redis.call('HDEL', entryOffer, ticketId)
  if offer ~= '' then
    local agentId = cjson.decode(offer).agentId
    if redis.call('HGET', agentOffer, agentId) == offerId then
      redis.call('HDEL', agentOffer, agentId)
      redis.call('HSET', agentStatus, agentId, 'available')
    end
  end
  return offer
end
`;

/** ARGV: ticketId, entry JSON. Returns the new seq, or false when the ticket is queued already. */
export const ADD_ENTRY = `${KEYS_PRELUDE}
if redis.call('HEXISTS', entries, ARGV[1]) == 1 then return false end
local n = redis.call('INCR', seq)
redis.call('HSET', entries, ARGV[1], ARGV[2])
redis.call('HSET', entrySeq, ARGV[1], n)
return n`;

/** ARGV: ticketId. Returns {entry JSON, seq, withdrawn offer JSON or ''}, or false. */
export const REMOVE_ENTRY = `${KEYS_PRELUDE}
local entry = redis.call('HGET', entries, ARGV[1])
if not entry then return false end
local n = redis.call('HGET', entrySeq, ARGV[1])
local offer = withdrawOffer(ARGV[1])
redis.call('HDEL', entries, ARGV[1])
redis.call('HDEL', entrySeq, ARGV[1])
redis.call('ZREM', holds, ARGV[1])
return {entry, n, offer}`;

/** ARGV: ticketId, hold-until epoch ms or '' to clear. Returns {entry JSON, seq, withdrawn offer JSON or ''}, or false. */
export const HOLD_ENTRY = `${KEYS_PRELUDE}
local entry = redis.call('HGET', entries, ARGV[1])
if not entry then return false end
local offer = ''
if ARGV[2] == '' then
  redis.call('ZREM', holds, ARGV[1])
else
  redis.call('ZADD', holds, ARGV[2], ARGV[1])
  offer = withdrawOffer(ARGV[1])
end
return {entry, redis.call('HGET', entrySeq, ARGV[1]), offer}`;

/** ARGV: agentId, agent JSON, now. Returns {status, idleSince, offerId or '', wrap-up end or ''}. */
export const PUT_AGENT = `${KEYS_PRELUDE}
redis.call('HSET', agents, ARGV[1], ARGV[2])
if redis.call('HEXISTS', agentStatus, ARGV[1]) == 0 then
  redis.call('HSET', agentStatus, ARGV[1], 'away')
  redis.call('HSET', agentIdle, ARGV[1], ARGV[3])
end
return {redis.call('HGET', agentStatus, ARGV[1]), redis.call('HGET', agentIdle, ARGV[1]), redis.call('HGET', agentOffer, ARGV[1]) or '', redis.call('ZSCORE', wrapUps, ARGV[1]) or ''}`;

/** ARGV: agentId. Returns {agent JSON, status, idleSince, withdrawn offer JSON or ''}, or false. */
export const REMOVE_AGENT = `${KEYS_PRELUDE}
local agent = redis.call('HGET', agents, ARGV[1])
if not agent then return false end
local status = redis.call('HGET', agentStatus, ARGV[1])
local idle = redis.call('HGET', agentIdle, ARGV[1])
local offerId = redis.call('HGET', agentOffer, ARGV[1])
local offer = ''
if offerId then
  offer = redis.call('HGET', offers, offerId) or ''
  redis.call('HDEL', offers, offerId)
  redis.call('ZREM', deadlines, offerId)
  if offer ~= '' then
    local ticketId = cjson.decode(offer).ticketId
    if redis.call('HGET', entryOffer, ticketId) == offerId then redis.call('HDEL', entryOffer, ticketId) end
  end
end
redis.call('HDEL', agents, ARGV[1])
redis.call('HDEL', agentStatus, ARGV[1])
redis.call('HDEL', agentIdle, ARGV[1])
redis.call('HDEL', agentOffer, ARGV[1])
redis.call('ZREM', wrapUps, ARGV[1])
return {agent, status, idle, offer}`;

/** ARGV: agentId, 'available'|'away', now. Returns 'missing', 'busy', or {status, idleSince}. */
export const SET_AVAILABILITY = `${KEYS_PRELUDE}
if redis.call('HEXISTS', agents, ARGV[1]) == 0 then return 'missing' end
local current = redis.call('HGET', agentStatus, ARGV[1])
if current == 'offered' or current == 'in-call' or current == 'wrap-up' then return 'busy' end
if ARGV[2] == 'available' and current ~= 'available' then redis.call('HSET', agentIdle, ARGV[1], ARGV[3]) end
redis.call('HSET', agentStatus, ARGV[1], ARGV[2])
return {ARGV[2], redis.call('HGET', agentIdle, ARGV[1])}`;

/** ARGV: ticketId, agentId, offerId, deadline, offer JSON. Returns 'OK' or a refusal. */
export const CLAIM_OFFER = `${KEYS_PRELUDE}
if redis.call('HEXISTS', entries, ARGV[1]) == 0 then return 'no-entry' end
if redis.call('HEXISTS', entryOffer, ARGV[1]) == 1 then return 'entry-busy' end
if redis.call('ZSCORE', holds, ARGV[1]) then return 'entry-busy' end
if redis.call('HEXISTS', agents, ARGV[2]) == 0 then return 'no-agent' end
if redis.call('HGET', agentStatus, ARGV[2]) ~= 'available' then return 'agent-busy' end
redis.call('HSET', entryOffer, ARGV[1], ARGV[3])
redis.call('HSET', agentStatus, ARGV[2], 'offered')
redis.call('HSET', agentOffer, ARGV[2], ARGV[3])
redis.call('HSET', offers, ARGV[3], ARGV[5])
redis.call('ZADD', deadlines, ARGV[4], ARGV[3])
return 'OK'`;

/** ARGV: offerId, 'accepted'|'declined'|'timeout'|'withdrawn', now, owning agentId or ''. Returns {offer JSON, entry JSON, seq}, or false. */
export const SETTLE_OFFER = `${KEYS_PRELUDE}
local offer = redis.call('HGET', offers, ARGV[1])
if not offer then return false end
local decoded = cjson.decode(offer)
local ticketId, agentId = decoded.ticketId, decoded.agentId
if ARGV[4] ~= '' and ARGV[4] ~= agentId then return false end
redis.call('HDEL', offers, ARGV[1])
redis.call('ZREM', deadlines, ARGV[1])
redis.call('HDEL', entryOffer, ticketId)
local entry = redis.call('HGET', entries, ticketId)
local n = redis.call('HGET', entrySeq, ticketId)
if ARGV[2] == 'accepted' then
  redis.call('HDEL', entries, ticketId)
  redis.call('HDEL', entrySeq, ticketId)
end
if redis.call('HGET', agentOffer, agentId) == ARGV[1] then
  redis.call('HDEL', agentOffer, agentId)
  if ARGV[2] == 'accepted' then
    redis.call('HSET', agentStatus, agentId, 'in-call')
  elseif ARGV[2] == 'withdrawn' then
    redis.call('HSET', agentStatus, agentId, 'available')
  else
    redis.call('HSET', agentStatus, agentId, 'missed')
    redis.call('HSET', agentIdle, agentId, ARGV[3])
  end
end
return {offer, entry, n}`;

/** ARGV: agentId, now, wrap-up end or ''. Returns 1 when the agent was in a call and is in wrap-up or available now, else 0. */
export const FINISH_CALL = `${KEYS_PRELUDE}
if redis.call('HGET', agentStatus, ARGV[1]) ~= 'in-call' then return 0 end
if ARGV[3] ~= '' and tonumber(ARGV[3]) > tonumber(ARGV[2]) then
  redis.call('HSET', agentStatus, ARGV[1], 'wrap-up')
  redis.call('ZADD', wrapUps, ARGV[3], ARGV[1])
else
  redis.call('HSET', agentStatus, ARGV[1], 'available')
  redis.call('HSET', agentIdle, ARGV[1], ARGV[2])
end
return 1`;

/** ARGV: agentId. Returns 1 when the agent, available or away (missed too), is in a call now, else 0. */
export const TAKE_CALL = `${KEYS_PRELUDE}
local current = redis.call('HGET', agentStatus, ARGV[1])
if current ~= 'available' and current ~= 'away' and current ~= 'missed' then return 0 end
redis.call('HSET', agentStatus, ARGV[1], 'in-call')
return 1`;

/** ARGV: agentId, now. Returns {agent JSON, idleSince} when the agent was in wrap-up and is available now, else false. */
export const END_WRAP_UP = `${KEYS_PRELUDE}
if redis.call('HGET', agentStatus, ARGV[1]) ~= 'wrap-up' then return false end
redis.call('HSET', agentStatus, ARGV[1], 'available')
redis.call('HSET', agentIdle, ARGV[1], ARGV[2])
redis.call('ZREM', wrapUps, ARGV[1])
return {redis.call('HGET', agents, ARGV[1]), ARGV[2]}`;
