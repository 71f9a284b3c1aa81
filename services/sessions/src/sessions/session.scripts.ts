/*
 * The seat decisions, one Lua script each, so that every decision about a (key, product)
 * and the event that announces it happen in one atomic step of Redis. Time is Redis's own
 * clock (TIME), so instances with skewed clocks still agree on who has expired.
 *
 * Keys under the prefix P (ARGV[1]):
 *   P:s:<session>                 hash: the session (state live|ended, exp, who and where)
 *   P:ks:<key>                    zset: live sessions of a key, by expiry (the sessions monitor)
 *   P:exp                         zset: every live session, by expiry (the sweeper)
 *   P:ps:<key>:<product>          zset: CONCURRENT_SESSIONS seats, one per session, by expiry
 *   P:ph:<key>:<product>          zset: CONCURRENT_HOSTS seats, one per host, by its latest expiry
 *   P:ph:<key>:<product>:<host>   zset: that host's sessions, by expiry
 *   P:events                      stream: session.started / session.ended, for the relay
 * HOST_BINDING seats are bindings (Postgres); its sessions take no seat here.
 *
 * Fencing: a session is ended once (state live -> ended, never back); an ended or expired
 * session is never extended, so a late heartbeat cannot revive it.
 */

const PRELUDE = `
local P = ARGV[1]
local ENDED_RETENTION_MS = tonumber(ARGV[2])
local EXPIRIES = P .. ':exp'
local EVENTS = P .. ':events'

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function session_key(sid) return P .. ':s:' .. sid end
local function key_sessions(keyId) return P .. ':ks:' .. keyId end
local function pool_sessions(keyId, productId) return P .. ':ps:' .. keyId .. ':' .. productId end
local function pool_hosts(keyId, productId) return P .. ':ph:' .. keyId .. ':' .. productId end
local function host_sessions(keyId, productId, fp) return pool_hosts(keyId, productId) .. ':' .. fp end

local function announce(type, vendorId, keyId, at, data)
  redis.call('XADD', EVENTS, '*', 'type', type, 'vendorId', vendorId, 'subject', keyId, 'at', at,
    'data', cjson.encode(data))
end

-- A host keeps its seat while any of its sessions does, until the latest of their expiries.
local function release_host_seat(keyId, productId, fp, sid)
  local hs = host_sessions(keyId, productId, fp)
  redis.call('ZREM', hs, sid)
  local top = redis.call('ZREVRANGE', hs, 0, 0, 'WITHSCORES')
  if #top == 0 then
    redis.call('ZREM', pool_hosts(keyId, productId), fp)
  else
    redis.call('ZADD', pool_hosts(keyId, productId), top[2], fp)
  end
end

-- Ends a live session: frees its seat and announces session.ended. False when it was not live.
local function end_session(sid, reason, now)
  local s = session_key(sid)
  local f = redis.call('HMGET', s, 'state', 'vendorId', 'keyId', 'keyCode', 'productId', 'model', 'fp')
  if f[1] ~= 'live' then return false end
  local keyId, productId, model = f[3], f[5], f[6]
  redis.call('HSET', s, 'state', 'ended', 'endReason', reason, 'endedAt', now)
  redis.call('PEXPIRE', s, ENDED_RETENTION_MS)
  redis.call('ZREM', key_sessions(keyId), sid)
  redis.call('ZREM', EXPIRIES, sid)
  if model == 'CONCURRENT_SESSIONS' then
    redis.call('ZREM', pool_sessions(keyId, productId), sid)
  elseif model == 'CONCURRENT_HOSTS' then
    release_host_seat(keyId, productId, f[7], sid)
  end
  announce('session.ended', f[2], keyId, now, { sessionId = sid, keyId = keyId, keyCode = f[4], reason = reason })
  return true
end

-- Ends the expired sessions holding seats of a CONCURRENT_SESSIONS pool.
local function expire_pool(pool, now)
  for _, sid in ipairs(redis.call('ZRANGEBYSCORE', pool, '-inf', now)) do
    end_session(sid, 'EXPIRED', now)
    redis.call('ZREM', pool, sid)
  end
end

-- Ends every session of the hosts whose latest expiry has passed, freeing their seats.
local function expire_hosts(keyId, productId, now)
  local hosts = pool_hosts(keyId, productId)
  for _, fp in ipairs(redis.call('ZRANGEBYSCORE', hosts, '-inf', now)) do
    local hs = host_sessions(keyId, productId, fp)
    for _, sid in ipairs(redis.call('ZRANGE', hs, 0, -1)) do end_session(sid, 'EXPIRED', now) end
    redis.call('DEL', hs)
    redis.call('ZREM', hosts, fp)
  end
end
`;

/**
 * ARGV: P, ended retention, session (JSON: sessionId, model, vendorId, keyId, keyCode,
 * productId, productCode, fp, host and session details, bindingId), seats, ttl, live retention.
 * Returns {'OK', expiresAt} or {'NO_SEAT', held}.
 */
export const ACQUIRE = `${PRELUDE}
local info = cjson.decode(ARGV[3])
local seats = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local live_retention = tonumber(ARGV[6])
local sid = info.sessionId
local now = now_ms()
local exp = now + ttl
if info.model == 'CONCURRENT_SESSIONS' then
  local pool = pool_sessions(info.keyId, info.productId)
  expire_pool(pool, now)
  local held = redis.call('ZCARD', pool)
  if held >= seats then return {'NO_SEAT', held} end
  redis.call('ZADD', pool, exp, sid)
elseif info.model == 'CONCURRENT_HOSTS' then
  expire_hosts(info.keyId, info.productId, now)
  local hosts = pool_hosts(info.keyId, info.productId)
  if not redis.call('ZSCORE', hosts, info.fp) then
    local held = redis.call('ZCARD', hosts)
    if held >= seats then return {'NO_SEAT', held} end
  end
  redis.call('ZADD', host_sessions(info.keyId, info.productId, info.fp), exp, sid)
  redis.call('ZADD', hosts, 'GT', exp, info.fp)
end
local fields = {'state', 'live', 'startedAt', now, 'lastHeartbeatAt', now, 'exp', exp}
for k, v in pairs(info) do
  fields[#fields + 1] = k
  fields[#fields + 1] = v
end
redis.call('HSET', session_key(sid), unpack(fields))
redis.call('PEXPIREAT', session_key(sid), exp + live_retention)
redis.call('ZADD', key_sessions(info.keyId), exp, sid)
redis.call('ZADD', EXPIRIES, exp, sid)
announce('session.started', info.vendorId, info.keyId, now, { sessionId = sid, keyId = info.keyId,
  keyCode = info.keyCode, productCode = info.productCode, hostFingerprint = info.fp })
return {'OK', exp}
`;

/**
 * ARGV: P, ended retention, session id, ttl, live retention.
 * Returns {'OK', expiresAt, keyCode, productCode, bindingId, keyId, productId, fingerprint, vendorId},
 * {'ENDED', reason} or {'UNKNOWN'}.
 */
export const HEARTBEAT = `${PRELUDE}
local sid = ARGV[3]
local ttl = tonumber(ARGV[4])
local live_retention = tonumber(ARGV[5])
local s = session_key(sid)
local f = redis.call('HMGET', s, 'state', 'exp', 'endReason', 'keyId', 'productId', 'model', 'fp',
  'keyCode', 'productCode', 'bindingId', 'vendorId')
if not f[1] then return {'UNKNOWN'} end
if f[1] ~= 'live' then return {'ENDED', f[3]} end
local now = now_ms()
if tonumber(f[2]) <= now then
  end_session(sid, 'EXPIRED', now)
  return {'ENDED', 'EXPIRED'}
end
local keyId, productId, model, fp = f[4], f[5], f[6], f[7]
local exp = now + ttl
redis.call('HSET', s, 'exp', exp, 'lastHeartbeatAt', now)
redis.call('PEXPIREAT', s, exp + live_retention)
redis.call('ZADD', key_sessions(keyId), 'XX', exp, sid)
redis.call('ZADD', EXPIRIES, 'XX', exp, sid)
if model == 'CONCURRENT_SESSIONS' then
  redis.call('ZADD', pool_sessions(keyId, productId), 'XX', exp, sid)
elseif model == 'CONCURRENT_HOSTS' then
  redis.call('ZADD', host_sessions(keyId, productId, fp), 'XX', exp, sid)
  redis.call('ZADD', pool_hosts(keyId, productId), 'GT', exp, fp)
end
return {'OK', exp, f[8], f[9], f[10], f[4], f[5], f[7], f[11]}
`;

/**
 * Ends a live session for a reason (RELEASED, TERMINATED, LICENSE_INACTIVE, KEY_DELETED).
 * ARGV: P, ended retention, session id, reason, vendor id ('' = any).
 * Returns {'OK'}, {'ENDED', reason} (already ended, or found expired) or {'UNKNOWN'}.
 */
export const END = `${PRELUDE}
local sid = ARGV[3]
local f = redis.call('HMGET', session_key(sid), 'state', 'endReason', 'vendorId', 'exp')
if not f[1] or (ARGV[5] ~= '' and f[3] ~= ARGV[5]) then return {'UNKNOWN'} end
if f[1] ~= 'live' then return {'ENDED', f[2]} end
local now = now_ms()
if tonumber(f[4]) <= now then
  end_session(sid, 'EXPIRED', now)
  return {'ENDED', 'EXPIRED'}
end
end_session(sid, ARGV[4], now)
return {'OK'}
`;

/**
 * Ends up to ARGV[3] expired sessions, oldest expiry first. ARGV: P, ended retention, limit.
 * Returns {found, ended}.
 */
export const SWEEP = `${PRELUDE}
local now = now_ms()
local found = redis.call('ZRANGEBYSCORE', EXPIRIES, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local ended = 0
for _, sid in ipairs(found) do
  if end_session(sid, 'EXPIRED', now) then ended = ended + 1 else redis.call('ZREM', EXPIRIES, sid) end
end
return {#found, ended}
`;
