/*
 * The seat decisions, one Lua script each, so that every decision about a (key, product)
 * and the event that announces it happen in one atomic step of Redis. Time is Redis's own
 * clock (TIME), so instances with skewed clocks still agree on who has expired.
 *
 * Keys under the prefix P (ARGV[1]):
 *   P:s:<session>                 hash: the session (state live|ended, exp, who and where; its
 *                                 id is the key's name, empty details are left out)
 *   P:ks:<key>                    zset: live sessions of a key, by expiry (the sessions monitor)
 *   P:exp                         zset: every live session, by expiry (the sweeper)
 *   P:ps:<key>:<product>          zset: CONCURRENT_SESSIONS seats, one per session, by expiry
 *   P:ph:<key>:<product>          zset: CONCURRENT_HOSTS seats, one per host, by its latest expiry
 *   P:ph:<key>:<product>:<host>   zset: that host's sessions, by expiry
 *   P:events                      stream: session.started / session.ended, for the relay
 *   P:hbi                         hash: a product's own heartbeat interval in seconds (else the default)
 *   P:lim:<key>:<product>         string, a few seconds: the seats a license change left in force,
 *                                 so an acquire that read the license before the change cannot
 *                                 take a seat the change took away (0: not in force any more)
 *   P:idem:<vendor>:<key>:<idem>  hash, 24 h: an acquire's idempotency key (request hash, session)
 *   P:seen                        hash: binding id -> when its host last heartbeat (ms), until written to Postgres
 * HOST_BINDING seats are bindings (Postgres); its sessions take no seat here.
 *
 * Heartbeat interval: a product's own (P:hbi) or the default, times the load factor, rounded,
 * at least 1 s. A session expires `grace` intervals after its last heartbeat (or its start),
 * using the interval that answer gave it.
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

-- The heartbeat interval (seconds) for a product: its own or the default, times the load factor.
local function interval_for(productId, default_s, load)
  local base = tonumber(redis.call('HGET', P .. ':hbi', productId)) or default_s
  return math.max(1, math.floor(base * load + 0.5))
end

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
 * productId, productCode, fp, host and session details, bindingId), seats, default interval
 * (s), load factor, grace (intervals), live retention, idempotency key's Redis key ('' = none),
 * request hash, idempotency key ttl (ms).
 * Returns {'OK', expiresAt, interval}, {'NO_SEAT', held}, {'NOT_IN_FORCE'} (a license change
 * took the license away since it was read), {'REPLAY', sessionId, state, expiresAt, endReason,
 * interval} (the idempotency key's session) or {'REUSED'} (the key was used with another input).
 * A refusal stores nothing, so a retry with the same idempotency key is decided afresh.
 */
export const ACQUIRE = `${PRELUDE}
local info = cjson.decode(ARGV[3])
local seats = tonumber(ARGV[4])
local live_retention = tonumber(ARGV[8])
local idem = ARGV[9]
if idem ~= '' then
  local held = redis.call('HMGET', idem, 'hash', 'sid')
  if held[1] then
    if held[1] ~= ARGV[10] then return {'REUSED'} end
    local f = redis.call('HMGET', session_key(held[2]), 'state', 'exp', 'endReason', 'interval')
    return {'REPLAY', held[2], f[1] or '', f[2] or '0', f[3] or '', f[4] or '0'}
  end
end
local limit = redis.call('GET', P .. ':lim:' .. info.keyId .. ':' .. info.productId)
if limit then
  if tonumber(limit) == 0 then return {'NOT_IN_FORCE'} end
  seats = math.min(seats, tonumber(limit))
end
local sid = info.sessionId
local now = now_ms()
local interval = interval_for(info.productId, tonumber(ARGV[5]), tonumber(ARGV[6]))
local exp = now + interval * tonumber(ARGV[7]) * 1000
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
local fields = {'state', 'live', 'startedAt', now, 'lastHeartbeatAt', now, 'exp', exp, 'interval', interval}
-- the id is in the key's name, and an empty detail is simply absent: a hash of 100,000 sessions is memory
for k, v in pairs(info) do
  if k ~= 'sessionId' and v ~= '' then
    fields[#fields + 1] = k
    fields[#fields + 1] = v
  end
end
redis.call('HSET', session_key(sid), unpack(fields))
redis.call('PEXPIREAT', session_key(sid), exp + live_retention)
redis.call('ZADD', key_sessions(info.keyId), exp, sid)
redis.call('ZADD', EXPIRIES, exp, sid)
if idem ~= '' then
  redis.call('HSET', idem, 'hash', ARGV[10], 'sid', sid)
  redis.call('PEXPIRE', idem, tonumber(ARGV[11]))
end
announce('session.started', info.vendorId, info.keyId, now, { sessionId = sid, keyId = info.keyId,
  keyCode = info.keyCode, productCode = info.productCode, hostFingerprint = info.fp })
return {'OK', exp, interval}
`;

/**
 * ARGV: P, ended retention, session id, default interval (s), load factor, grace (intervals),
 * live retention.
 * Returns {'OK', expiresAt, keyCode, productCode, bindingId, keyId, productId, fingerprint,
 * vendorId, interval}, {'ENDED', reason} or {'UNKNOWN'}.
 */
export const HEARTBEAT = `${PRELUDE}
local sid = ARGV[3]
local live_retention = tonumber(ARGV[7])
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
local interval = interval_for(productId, tonumber(ARGV[4]), tonumber(ARGV[5]))
local exp = now + interval * tonumber(ARGV[6]) * 1000
redis.call('HSET', s, 'exp', exp, 'lastHeartbeatAt', now, 'interval', interval)
-- a bound host was seen: BindingsService writes these to Postgres in batches
if f[10] and f[10] ~= '' then redis.call('HSET', P .. ':seen', f[10], now) end
redis.call('PEXPIREAT', s, exp + live_retention)
redis.call('ZADD', key_sessions(keyId), 'XX', exp, sid)
redis.call('ZADD', EXPIRIES, 'XX', exp, sid)
if model == 'CONCURRENT_SESSIONS' then
  redis.call('ZADD', pool_sessions(keyId, productId), 'XX', exp, sid)
elseif model == 'CONCURRENT_HOSTS' then
  -- a shorter interval may bring the session's expiry forward: the host keeps its latest
  redis.call('ZADD', host_sessions(keyId, productId, fp), 'XX', exp, sid)
  local top = redis.call('ZREVRANGE', host_sessions(keyId, productId, fp), 0, 0, 'WITHSCORES')
  redis.call('ZADD', pool_hosts(keyId, productId), 'XX', top[2], fp)
end
return {'OK', exp, f[8], f[9], f[10], f[4], f[5], f[7], f[11], interval}
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

/**
 * Applies a license change to a key's live sessions, in one step. ARGV: P, ended retention,
 * key id, plan (JSON: [{productId, seats, reason, hosts}]), limit ttl (ms).
 * For each product of the plan: seats 0 ends all its sessions for `reason` (LICENSE_INACTIVE,
 * KEY_DELETED); otherwise the newest holders over `seats` end for SEATS_REDUCED (sessions of
 * CONCURRENT_SESSIONS by start; hosts of CONCURRENT_HOSTS by their first session's start, with
 * all their sessions), and HOST_BINDING sessions on `hosts` (bindings taken away) end too.
 * The seats are left in P:lim for `limit ttl`, for acquires that read the license before.
 * Returns the number of sessions it ended.
 */
export const RECONCILE = `${PRELUDE}
local keyId = ARGV[3]
local plan = cjson.decode(ARGV[4])
local limit_ms = tonumber(ARGV[5])
local now = now_ms()
local products = {}
for _, p in ipairs(plan) do
  products[p.productId] = { seats = tonumber(p.seats), reason = p.reason, hosts = {}, live = {} }
  for _, fp in ipairs(p.hosts or {}) do products[p.productId].hosts[fp] = true end
  redis.call('SET', P .. ':lim:' .. keyId .. ':' .. p.productId, p.seats, 'PX', limit_ms)
end
local ended = 0
for _, sid in ipairs(redis.call('ZRANGE', key_sessions(keyId), 0, -1)) do
  local f = redis.call('HMGET', session_key(sid), 'state', 'exp', 'productId', 'model', 'fp', 'startedAt')
  local p = products[f[3]]
  if f[1] == 'live' and tonumber(f[2]) <= now then
    if end_session(sid, 'EXPIRED', now) then ended = ended + 1 end
  elseif f[1] == 'live' and p then
    p.live[#p.live + 1] = { sid = sid, model = f[4], fp = f[5], started = tonumber(f[6]) }
  end
end
local function newest_first(a, b)
  if a.started ~= b.started then return a.started > b.started end
  return a.key > b.key
end
for _, p in pairs(products) do
  local doomed = {}
  if p.seats <= 0 then
    for _, s in ipairs(p.live) do doomed[#doomed + 1] = s.sid end
  else
    local hosts, sessions = {}, {}
    for _, s in ipairs(p.live) do
      if s.model == 'CONCURRENT_SESSIONS' then
        sessions[#sessions + 1] = { key = s.sid, started = s.started, sids = { s.sid } }
      elseif s.model == 'CONCURRENT_HOSTS' then
        local h = hosts[s.fp]
        if not h then
          h = { key = s.fp, started = s.started, sids = {} }
          hosts[s.fp] = h
          sessions[#sessions + 1] = h
        end
        if s.started < h.started then h.started = s.started end
        h.sids[#h.sids + 1] = s.sid
      elseif p.hosts[s.fp] then
        doomed[#doomed + 1] = s.sid
      end
    end
    table.sort(sessions, newest_first)
    for i = 1, #sessions - p.seats do
      for _, sid in ipairs(sessions[i].sids) do doomed[#doomed + 1] = sid end
    end
  end
  for _, sid in ipairs(doomed) do
    if end_session(sid, p.seats <= 0 and p.reason or 'SEATS_REDUCED', now) then ended = ended + 1 end
  end
end
return {ended}
`;
