import { FORGET_ENDED_AFTER_MS } from '../../store'
import { prepareScript, type PreparedScript } from './connection'

/**
 * The store's Lua scripts: each read-modify-write of one session or subject runs
 * atomically in Redis, so concurrent refreshes from any number of instances see one
 * another's effects. Every key a script touches is in its `KEYS`; a subject's keys share
 * a hash tag (see keys.ts). Times are milliseconds on the instances' clock, passed in;
 * issue stamps are microseconds, kept strictly increasing per subject.
 *
 * On one server, a script that revokes also appends to the feed, in one step. On a
 * cluster the feed is in a slot of its own, so those scripts are given only the keys of
 * one slot (no feed: `#KEYS` tells) and the store appends to the feed first, then changes
 * the state: a failure in between leaves the tokens refused everywhere, never accepted.
 */
const PRELUDE = `
local FORGET = ${FORGET_ENDED_AFTER_MS}
local function num(value) return tonumber(value) or 0 end
local function fmt(value) return string.format('%.0f', value) end
-- Nothing after the caller's deadline (server milliseconds): a command the client gave
-- up on must not take effect when a paused server resumes, or the client's retry of a
-- refresh would find its token retired and look like a thief.
local function late(deadline)
  local t = redis.call('TIME')
  return num(t[1]) * 1000 + math.floor(num(t[2]) / 1000) > num(deadline)
end
-- Strictly greater than every stamp given out for this subject, and than the epoch's floor.
local function nextStamp(subject, now, floor)
  local stamp = math.max(math.floor(now * 1000), num(redis.call('HGET', subject, 'last')) + 1, floor + 1)
  redis.call('HSET', subject, 'last', fmt(stamp))
  return stamp
end
local function keepAtLeast(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
-- The feed keeps a window of entries (MINID trims older ones) and, like every key, a
-- TTL: a feed nobody writes to for a whole window holds nothing anyone needs.
local function append(feed, kind, value, stamp, untilMs, minid, ttl)
  redis.call('XADD', feed, 'MINID', '~', minid, '*', 'k', kind, 'v', value, 's', fmt(stamp), 'u', fmt(untilMs))
  redis.call('PEXPIRE', feed, ttl)
end
-- An ended session is remembered a day, to answer its tokens for what they are.
local function finish(session, ending)
  redis.call('HSET', session, 'ended', ending, 'current', '', 'previous', '')
  if redis.call('PTTL', session) > FORGET then redis.call('PEXPIRE', session, FORGET) end
end
-- A live session lives until it would end unused, and a day more (see finish).
local function touch(session, now, expires, idle)
  redis.call('PEXPIRE', session, math.max(1, math.min(expires - now, idle) + FORGET))
end
-- 'live', or why not: a session found past its time, or its subject revoked since it
-- began, is ended here and now.
local function liveness(session, subject, family, now, idle)
  local f = redis.call('HMGET', session, 'family', 'ended', 'created', 'expires', 'used')
  if not f[1] or f[1] ~= family then return 'invalid' end
  if f[2] ~= '' then return f[2] end
  if num(f[3]) <= num(redis.call('HGET', subject, 'revoked')) then
    finish(session, 'revoked')
    return 'revoked'
  end
  if now >= num(f[4]) or now >= num(f[5]) + idle then
    finish(session, 'expired')
    return 'expired'
  end
  return 'live'
end
`

const script = (body: string): PreparedScript => prepareScript(`${PRELUDE}${body}`)

/**
 * KEYS: session, subject. ARGV: deadline, now, floor, sub, family hash, token hash,
 * lifetime (ms), idle timeout (ms), subject TTL (ms).
 */
export const CREATE = script(`
if late(ARGV[1]) then return {'late'} end
local now, lifetime = num(ARGV[2]), num(ARGV[7])
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
local stamp = nextStamp(KEYS[2], now, num(ARGV[3]))
redis.call('HSET', KEYS[1], 'sub', ARGV[4], 'family', ARGV[5], 'created', fmt(stamp),
  'expires', fmt(now + lifetime), 'used', fmt(now), 'current', ARGV[6], 'previous', '',
  'previousAt', '0', 'ended', '')
touch(KEYS[1], now, now + lifetime, num(ARGV[8]))
keepAtLeast(KEYS[2], num(ARGV[9]))
return {'ok', fmt(stamp), fmt(math.min(now + lifetime, now + num(ARGV[8])))}
`)

/** KEYS: session, subject. ARGV: family hash, now, idle timeout (ms). */
export const PEEK = script(`
local status = liveness(KEYS[1], KEYS[2], ARGV[1], num(ARGV[2]), num(ARGV[3]))
if status ~= 'live' then return {status} end
return {'live', redis.call('HGET', KEYS[1], 'sub')}
`)

/**
 * KEYS: session, subject, feed (none on a cluster). ARGV: deadline, now, floor, family
 * hash, token hash, next hash, grace (ms), idle timeout (ms), revocation window (ms),
 * MINID, most siblings, session id. On a cluster a reuse changes nothing here and answers
 * `reuse`: the store appends to the feed, then ends the session with END.
 */
export const ROTATE = script(`
if late(ARGV[1]) then return {'late'} end
local now, idle = num(ARGV[2]), num(ARGV[8])
local status = liveness(KEYS[1], KEYS[2], ARGV[4], now, idle)
if status ~= 'live' then return {status} end
local s = redis.call('HMGET', KEYS[1], 'current', 'previous', 'previousAt', 'sub', 'expires')
local current, isCurrent = {}, false
for h in string.gmatch(s[1], '%S+') do
  current[#current + 1] = h
  if h == ARGV[5] then isCurrent = true end
end
if isCurrent then
  redis.call('HSET', KEYS[1], 'previous', ARGV[5], 'previousAt', fmt(now), 'current', ARGV[6])
elseif ARGV[5] == s[2] and now - num(s[3]) <= num(ARGV[7]) then
  -- A retry after a lost response, or concurrent refreshes with one token: every token
  -- handed out for it stays usable until one of them is used.
  current[#current + 1] = ARGV[6]
  while #current > num(ARGV[11]) do table.remove(current, 1) end
  redis.call('HSET', KEYS[1], 'current', table.concat(current, ' '))
else
  if #KEYS < 3 then return {'reuse', s[4]} end
  finish(KEYS[1], 'revoked')
  append(KEYS[3], 'session', ARGV[12], 0, now + num(ARGV[9]), ARGV[10], ARGV[9])
  return {'reused', s[4]}
end
redis.call('HSET', KEYS[1], 'used', fmt(now))
touch(KEYS[1], now, num(s[5]), idle)
local stamp = nextStamp(KEYS[2], now, num(ARGV[3]))
return {'rotated', s[4], fmt(stamp), fmt(math.min(num(s[5]), now + idle))}
`)

/**
 * KEYS: session, subject, feed (none on a cluster, where the store appended first).
 * ARGV: family hash, now, idle timeout (ms), session id, revocation window (ms), MINID.
 * No deadline: ending a session late errs toward refusing.
 */
export const END = script(`
local now = num(ARGV[2])
if liveness(KEYS[1], KEYS[2], ARGV[1], now, num(ARGV[3])) ~= 'live' then return 0 end
finish(KEYS[1], 'revoked')
if #KEYS == 3 then append(KEYS[3], 'session', ARGV[4], 0, now + num(ARGV[5]), ARGV[6], ARGV[5]) end
return 1
`)

/**
 * KEYS: subject, feed. ARGV: now, floor, subject TTL (ms), sub, revocation window (ms),
 * MINID, kind (`subject` to revoke everything so far, `claims` for stale claims).
 */
export const CUTOFF = script(`
local now = num(ARGV[1])
local stamp = nextStamp(KEYS[1], now, num(ARGV[2]))
if ARGV[7] == 'subject' then redis.call('HSET', KEYS[1], 'revoked', fmt(stamp)) end
keepAtLeast(KEYS[1], num(ARGV[3]))
append(KEYS[2], ARGV[7], ARGV[4], stamp, now + num(ARGV[5]), ARGV[6], ARGV[5])
return fmt(stamp)
`)

/**
 * On a cluster, CUTOFF in three steps: STAMP (the cutoff's stamp, which changes nothing
 * a token is judged by), APPEND of the feed entry, then for `subject` MARK_REVOKED.
 * KEYS: subject. ARGV: now, floor, subject TTL (ms).
 */
export const STAMP = script(`
local stamp = nextStamp(KEYS[1], num(ARGV[1]), num(ARGV[2]))
keepAtLeast(KEYS[1], num(ARGV[3]))
return fmt(stamp)
`)

/** KEYS: subject. ARGV: stamp, subject TTL (ms). Sessions begun by then are revoked. */
export const MARK_REVOKED = script(`
redis.call('HSET', KEYS[1], 'revoked', fmt(math.max(num(ARGV[1]), num(redis.call('HGET', KEYS[1], 'revoked')))))
keepAtLeast(KEYS[1], num(ARGV[2]))
return 1
`)

/**
 * One feed entry: a revoked token, or on a cluster any revocation, ahead of its state.
 * KEYS: feed. ARGV: kind, value, stamp, until (ms), MINID, revocation window (ms).
 */
export const APPEND = script(`
append(KEYS[1], ARGV[1], ARGV[2], num(ARGV[3]), num(ARGV[4]), ARGV[5], ARGV[6])
return 1
`)
