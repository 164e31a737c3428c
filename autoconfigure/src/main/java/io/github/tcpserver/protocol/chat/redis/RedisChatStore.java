package io.github.tcpserver.protocol.chat.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Redis commands of the shared room: names claimed with {@code SET NX PX}, renewed by a
 * compare-and-{@code PEXPIRE} script, released by compare-and-{@code DEL}; the instances' liveness in a
 * sorted set of deadlines (Redis' own clock, so instances' clocks may differ); the members of each
 * instance in a hash; and the room's channel. Every key shares the hash tag {@code {prefix}}, so the
 * multi-key scripts also run on a Redis Cluster. Calls block: the room makes them from its own
 * worker thread, never from an I/O loop.
 */
final class RedisChatStore {

	/** KEYS: name, members hash. ARGV: owner, ttl ms, key, display name. */
	private static final RedisScript<Long> CLAIM = RedisScript.of("""
			if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) or redis.call('GET', KEYS[1]) == ARGV[1] then
			  redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
			  redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[2]))
			  return 1
			end
			return 0
			""", Long.class);

	/** KEYS: name, members hash. ARGV: owner, key. Deletes the name only if this owner still holds it. */
	private static final RedisScript<Long> RELEASE = RedisScript.of("""
			redis.call('HDEL', KEYS[2], ARGV[2])
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""", Long.class);

	/**
	 * KEYS: instances, members hash, then one name key per claim. ARGV: instance, ttl ms, liveness ms,
	 * then owner, key, display name per claim. Renews (or, after Redis lost them, re-takes) the
	 * instance's claims and rebuilds its hash; returns whether the instance was new to Redis (a Redis
	 * restart) and the keys now held by someone else.
	 */
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> HEARTBEAT = RedisScript.of("""
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
			local fresh = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
			redis.call('DEL', KEYS[2])
			local out = { tostring(fresh) }
			for i = 3, #KEYS do
			  local base = 4 + (i - 3) * 3
			  local holder = redis.call('GET', KEYS[i])
			  if holder == ARGV[base] then
			    redis.call('PEXPIRE', KEYS[i], ARGV[2])
			  elseif not holder then
			    redis.call('SET', KEYS[i], ARGV[base], 'PX', ARGV[2])
			  end
			  if holder and holder ~= ARGV[base] then
			    table.insert(out, ARGV[base + 1])
			  else
			    redis.call('HSET', KEYS[2], ARGV[base + 1], ARGV[base + 2])
			  end
			end
			if #KEYS > 2 then
			  redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[2]))
			end
			return out
			""", List.class);

	/**
	 * KEYS: instances. ARGV: key prefix, own instance. Takes every instance past its deadline out,
	 * frees the names it still held and returns them, flat: instance, count, then key and name pairs.
	 * ZREM decides which survivor announces a dead instance: exactly one gets it.
	 */
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> REAP = RedisScript.of("""
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
			local out = {}
			for _, inst in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
			  if inst ~= ARGV[2] and redis.call('ZREM', KEYS[1], inst) == 1 then
			    local hash = ARGV[1] .. 'members:' .. inst
			    local entries = redis.call('HGETALL', hash)
			    local prefix = inst .. '#'
			    table.insert(out, inst)
			    table.insert(out, tostring(#entries / 2))
			    for j = 1, #entries, 2 do
			      local name = ARGV[1] .. 'name:' .. entries[j]
			      local holder = redis.call('GET', name)
			      if holder and string.sub(holder, 1, #prefix) == prefix then
			        redis.call('DEL', name)
			      end
			      table.insert(out, entries[j])
			      table.insert(out, entries[j + 1])
			    end
			    redis.call('DEL', hash)
			  end
			end
			return out
			""", List.class);

	/** KEYS: instances. ARGV: key prefix. Flat: instance, count, then key and name pairs. */
	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> MEMBERS = RedisScript.of("""
			local out = {}
			for _, inst in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
			  local entries = redis.call('HGETALL', ARGV[1] .. 'members:' .. inst)
			  table.insert(out, inst)
			  table.insert(out, tostring(#entries / 2))
			  for j = 1, #entries do
			    table.insert(out, entries[j])
			  end
			end
			return out
			""", List.class);

	/** KEYS: instances, members hash. ARGV: instance. */
	private static final RedisScript<Long> DEREGISTER = RedisScript.of("""
			redis.call('DEL', KEYS[2])
			return redis.call('ZREM', KEYS[1], ARGV[1])
			""", Long.class);

	private final RedisConnectionFactory connectionFactory;

	private final StringRedisTemplate redis;

	/** {@code {prefix}:}: the hash tag keeps every key of the room in one Redis Cluster slot. */
	private final String keyPrefix;

	private final String instancesKey;

	private final byte[] channel;

	private final String instance;

	private final long ttlMillis;

	private final long livenessMillis;

	/**
	 * @param connectionFactory Boot's Redis connections
	 * @param prefix the key prefix, {@code chat} by default
	 * @param instance this instance's id
	 * @param memberTtl how long a name outlives its instance's last heartbeat
	 * @param liveness how long an instance is considered alive after its last heartbeat
	 */
	RedisChatStore(RedisConnectionFactory connectionFactory, String prefix, String instance, Duration memberTtl,
			Duration liveness) {
		this.connectionFactory = connectionFactory;
		this.redis = new StringRedisTemplate(connectionFactory);
		this.keyPrefix = "{" + prefix + "}:";
		this.instancesKey = this.keyPrefix + "instances";
		this.channel = (this.keyPrefix + "room").getBytes(StandardCharsets.UTF_8);
		this.instance = instance;
		this.ttlMillis = memberTtl.toMillis();
		this.livenessMillis = liveness.toMillis();
	}

	String channelName() {
		return new String(this.channel, StandardCharsets.UTF_8);
	}

	String owner(long serial) {
		return this.instance + "#" + serial;
	}

	/** @return {@code true} if the name is now the member's (free before, or the member's own) */
	boolean claim(String key, String name, long serial) {
		Long claimed = this.redis.execute(CLAIM, List.of(nameKey(key), membersKey()), owner(serial),
				Long.toString(this.ttlMillis), key, name);
		return claimed != null && claimed == 1;
	}

	void release(String key, long serial) {
		this.redis.execute(RELEASE, List.of(nameKey(key), membersKey()), owner(serial), key);
	}

	/**
	 * Renews this instance and its claims.
	 * @param claims the claims by serial: key and name
	 * @return the outcome
	 */
	Heartbeat heartbeat(Map<Long, String[]> claims) {
		List<String> keys = new ArrayList<>(2 + claims.size());
		keys.add(this.instancesKey);
		keys.add(membersKey());
		List<String> args = new ArrayList<>(3 + 3 * claims.size());
		args.add(this.instance);
		args.add(Long.toString(this.ttlMillis));
		args.add(Long.toString(this.livenessMillis));
		claims.forEach((serial, claim) -> {
			keys.add(nameKey(claim[0]));
			args.add(owner(serial));
			args.add(claim[0]);
			args.add(claim[1]);
		});
		List<?> out = this.redis.execute(HEARTBEAT, keys, args.toArray());
		if (out == null || out.isEmpty()) {
			throw new IllegalStateException("The heartbeat script returned nothing");
		}
		List<String> lost = new ArrayList<>();
		for (int i = 1; i < out.size(); i++) {
			lost.add(String.valueOf(out.get(i)));
		}
		return new Heartbeat("1".equals(String.valueOf(out.get(0))), lost);
	}

	/** @return the members of the instances found dead (and now taken out), by instance: key to name */
	Map<String, Map<String, String>> reap() {
		return members(this.redis.execute(REAP, List.of(this.instancesKey), this.keyPrefix, this.instance));
	}

	/** @return the members of every instance Redis knows, by instance: key to name */
	Map<String, Map<String, String>> members() {
		return members(this.redis.execute(MEMBERS, List.of(this.instancesKey), this.keyPrefix));
	}

	/** Takes this instance out of the room: its hash and its liveness entry. */
	void deregister() {
		this.redis.execute(DEREGISTER, List.of(this.instancesKey, membersKey()), this.instance);
	}

	/** Publishes events in order, in one round trip (pipelined on one connection). */
	void publish(List<String> events) {
		this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
			for (String event : events) {
				connection.publish(this.channel, event.getBytes(StandardCharsets.UTF_8));
			}
			return null;
		});
	}

	/**
	 * Subscribes to the room's channel on a connection of its own.
	 * @return the subscribed connection, to close to unsubscribe
	 */
	RedisConnection subscribe(MessageListener listener) {
		RedisConnection connection = this.connectionFactory.getConnection();
		try {
			connection.subscribe(listener, this.channel);
			return connection;
		}
		catch (RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	private String nameKey(String key) {
		return this.keyPrefix + "name:" + key;
	}

	private String membersKey() {
		return this.keyPrefix + "members:" + this.instance;
	}

	private static Map<String, Map<String, String>> members(List<?> flat) {
		Map<String, Map<String, String>> members = new LinkedHashMap<>();
		if (flat == null) {
			return members;
		}
		int i = 0;
		while (i + 1 < flat.size()) {
			String instance = String.valueOf(flat.get(i));
			int count = Integer.parseInt(String.valueOf(flat.get(i + 1)));
			i += 2;
			Map<String, String> names = new LinkedHashMap<>();
			for (int j = 0; j < count && i + 1 < flat.size(); j++, i += 2) {
				names.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
			}
			members.put(instance, names);
		}
		return members;
	}

	/**
	 * @param fresh the instance was unknown to Redis: a first heartbeat, or Redis lost its data
	 * @param lostKeys keys of this instance's members now held by another instance
	 */
	record Heartbeat(boolean fresh, List<String> lostKeys) {
	}

}
