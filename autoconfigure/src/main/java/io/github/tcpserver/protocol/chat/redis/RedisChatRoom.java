package io.github.tcpserver.protocol.chat.redis;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.SubscriptionListener;

import io.github.tcpserver.protocol.chat.ChatDelivery;
import io.github.tcpserver.protocol.chat.ChatMember;
import io.github.tcpserver.protocol.chat.ChatMessageFilter;
import io.github.tcpserver.protocol.chat.ChatRoom;
import io.github.tcpserver.protocol.chat.ChatText;

/**
 * A chat room shared by every instance connected to the same Redis. Every room event, also one for
 * members of this instance, is published on one Redis channel and delivered from it, so all members
 * everywhere see one order; names are claimed in Redis, unique across the cluster; instances renew
 * their members with a heartbeat and the survivors announce the members of an instance that stopped.
 * <p>
 * Threads: I/O loops only queue work (never a Redis call); one worker thread makes every Redis call
 * in queue order (claims, releases, publishing, the heartbeat); one dispatcher thread delivers the
 * channel's events to this instance's members, serially, so their order is the channel's. Pub/sub
 * is at-most-once: what is published while an instance is cut off from Redis is lost for it, and its
 * members are told so when it is back.
 */
public final class RedisChatRoom implements ChatRoom, AutoCloseable {

	/** Where the room stands with Redis. */
	public enum State {

		/** Not connected yet: logins wait for the first heartbeat. */
		STARTING,

		/** Connected and subscribed. */
		UP,

		/** Redis is unreachable: logins and messages are refused, members stay connected. */
		DOWN,

		/** Closed. */
		STOPPED

	}

	/**
	 * The room's settings.
	 *
	 * @param keyPrefix prefix of the room's Redis keys and channel; instances with the same prefix share the room
	 * @param memberTtl a stopped instance's members are announced as left and their names freed
	 * within this time; instances renew their members four times per period
	 * @param maxQueuedEvents bound on events waiting to be published and events waiting to be delivered
	 * @param stopTimeout longest wait, when closing, for queued events and the release of names
	 */
	public record Settings(String keyPrefix, Duration memberTtl, int maxQueuedEvents, Duration stopTimeout) {

		public Settings {
			if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
				throw new IllegalArgumentException("keyPrefix must be non-empty, without braces, but was " + keyPrefix);
			}
			if (memberTtl.toMillis() < 300) {
				throw new IllegalArgumentException("memberTtl must be at least 300ms but was " + memberTtl);
			}
			if (maxQueuedEvents < 1) {
				throw new IllegalArgumentException("maxQueuedEvents must be positive but was " + maxQueuedEvents);
			}
		}

	}

	private static final System.Logger log = System.getLogger(RedisChatRoom.class.getName());

	private static final String UNAVAILABLE = "The chat is unavailable: its server lost the connection to Redis";

	/** Events published in one pipelined round trip at most. */
	private static final int MAX_BATCH = 512;

	private final String instance;

	private final RedisChatStore store;

	private final ChatMessageFilter filter;

	private final ChatDelivery delivery;

	private final Settings settings;

	private final long heartbeatNanos;

	/** What Redis holds for this instance's members; written by the worker only. */
	private final Map<ChatMember, Claim> owned = new ConcurrentHashMap<>();

	/**
	 * Members that receive the room's lines: welcomed and not gone. A member enters on its own loop
	 * after its welcome line, so that no room line overtakes the welcome.
	 */
	private final Map<ChatMember, Claim> present = new ConcurrentHashMap<>();

	/** This instance's members by key, for private lines; written by the worker only. */
	private final Map<String, ChatMember> localByKey = new ConcurrentHashMap<>();

	/** Members whose claim is queued or in flight: their leave must reach the worker. */
	private final Set<ChatMember> claiming = ConcurrentHashMap.newKeySet();

	/** The room's members on every instance, as Redis and the channel told: instance to key to name. */
	private final Map<String, Map<String, String>> view = new ConcurrentHashMap<>();

	/**
	 * Work for the worker, in order. Messages are refused past {@code maxQueuedEvents}; claims and
	 * leaves are never refused (a lost leave would keep a name), so the queue may pass the bound by
	 * at most one entry per connection.
	 */
	private final BlockingQueue<Op> outbound = new LinkedBlockingQueue<>();

	private final BlockingQueue<String> inbound;

	private final AtomicLong serials = new AtomicLong();

	private final LongAdder outages = new LongAdder();

	private final LongAdder droppedEvents = new LongAdder();

	private final LongAdder refusedMessages = new LongAdder();

	private final LongAdder reapedInstances = new LongAdder();

	/** Set by the subscription when it dropped an event; the dispatcher then tells the members. */
	private final AtomicBoolean inboundLost = new AtomicBoolean();

	/** Set when Lettuce subscribed again after its connection was cut; the dispatcher tells the members. */
	private final AtomicBoolean resubscribed = new AtomicBoolean();

	private final LongAdder resubscriptions = new LongAdder();

	private final Thread worker;

	private final Thread dispatcher;

	private volatile State state = State.STARTING;

	private volatile String lastError;

	/** Whether Redis was reached once: only then is a later fresh registration a sign of lost data. Worker only. */
	private boolean connectedBefore;

	private volatile boolean shuttingDown;

	private volatile boolean closed;

	/** Worker thread only. */
	private RedisConnection subscription;

	/**
	 * @param connectionFactory the Redis connections (Boot's, from {@code spring.data.redis.*})
	 * @param filter checks every message before delivery
	 * @param maxPendingOutput unread output, in bytes, past which a member is disconnected
	 * @param settings the room's settings
	 */
	public RedisChatRoom(RedisConnectionFactory connectionFactory, ChatMessageFilter filter, long maxPendingOutput,
			Settings settings) {
		this.instance = ProcessHandle.current().pid() + "-"
				+ Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
		this.filter = filter;
		this.delivery = new ChatDelivery(maxPendingOutput);
		this.settings = settings;
		long ttl = settings.memberTtl().toNanos();
		this.heartbeatNanos = ttl / 4;
		// Alive for three heartbeats: two missed heartbeats (a long GC pause, a slow Redis) are
		// tolerated, and a survivor checking once per heartbeat still finds a dead instance within
		// the member TTL.
		this.store = new RedisChatStore(connectionFactory, settings.keyPrefix(), this.instance, settings.memberTtl(),
				Duration.ofNanos(3 * ttl / 4));
		this.inbound = new ArrayBlockingQueue<>(settings.maxQueuedEvents());
		this.worker = new Thread(this::work, "chat-redis-worker-" + this.instance);
		this.worker.setDaemon(true);
		this.dispatcher = new Thread(this::dispatch, "chat-redis-dispatch-" + this.instance);
		this.dispatcher.setDaemon(true);
	}

	/**
	 * Connects: subscribes, registers this instance (a first heartbeat, made before this returns so
	 * that logins work at once) and starts the worker and the dispatcher. Redis being down is not an
	 * error: the room starts {@link State#DOWN} and keeps trying.
	 */
	public synchronized void start() {
		if (this.dispatcher.getState() != Thread.State.NEW || this.closed) {
			return; // started already (or closed): once only
		}
		this.dispatcher.start();
		heartbeat();
		this.worker.start();
	}

	/** @return this instance's id in the room */
	public String instanceId() {
		return this.instance;
	}

	/** @return where the room stands with Redis */
	public State state() {
		return this.state;
	}

	/** @return the last Redis error, or {@code null} */
	public String lastError() {
		return this.lastError;
	}

	/** @return times the connection to Redis was lost */
	public long redisOutages() {
		return this.outages.sum();
	}

	/** @return events dropped because this instance fell behind the channel */
	public long droppedEvents() {
		return this.droppedEvents.sum();
	}

	/** @return messages refused because Redis was unreachable or too much was queued */
	public long refusedMessages() {
		return this.refusedMessages.sum();
	}

	/** @return times the subscription was cut and Lettuce subscribed again by itself */
	public long resubscriptions() {
		return this.resubscriptions.sum();
	}

	/** @return instances found dead whose members this instance announced as left */
	public long reapedInstances() {
		return this.reapedInstances.sum();
	}

	/** @return the members of every instance seen, by instance id, names sorted */
	public Map<String, List<String>> membersByInstance() {
		Map<String, List<String>> members = new TreeMap<>();
		this.view.forEach((instance, names) -> {
			List<String> sorted = new ArrayList<>(names.values());
			sorted.sort(String.CASE_INSENSITIVE_ORDER);
			members.put(instance, sorted);
		});
		List<String> local = new ArrayList<>();
		this.owned.values().forEach((claim) -> local.add(claim.name()));
		local.sort(String.CASE_INSENSITIVE_ORDER);
		members.put(this.instance, local);
		return members;
	}

	// ---------------------------------------------------------------- application side

	@Override
	public List<String> memberNames() {
		List<String> names = new ArrayList<>(everyone().values());
		names.sort(String.CASE_INSENSITIVE_ORDER);
		return Collections.unmodifiableList(names);
	}

	@Override
	public Optional<ChatMember> member(String name) {
		ChatMember member = this.localByKey.get(ChatText.key(name));
		return (member != null && this.present.containsKey(member)) ? Optional.of(member) : Optional.empty();
	}

	@Override
	public int size() {
		return everyone().size();
	}

	/** Members by key: this instance's own claims, and everyone the view knows elsewhere. */
	private Map<String, String> everyone() {
		Map<String, String> all = new HashMap<>();
		this.view.forEach((instance, names) -> {
			if (!instance.equals(this.instance)) {
				all.putAll(names);
			}
		});
		this.owned.values().forEach((claim) -> all.put(claim.key(), claim.name()));
		return all;
	}

	/** @return the name of the member with that key on any instance, or {@code null} */
	private String nameOf(String key) {
		ChatMember local = this.localByKey.get(key);
		Claim claim = (local != null) ? this.owned.get(local) : null;
		if (claim != null) {
			return claim.name();
		}
		for (Map.Entry<String, Map<String, String>> names : this.view.entrySet()) {
			String name = names.getValue().get(key);
			if (name != null && !names.getKey().equals(this.instance)) {
				return name;
			}
		}
		return null;
	}

	@Override
	public long maxPendingOutput() {
		return this.delivery.maxPendingOutput();
	}

	@Override
	public long slowMemberDisconnects() {
		return this.delivery.slowMemberDisconnects();
	}

	/** Announces to every member of every instance; past {@code maxQueuedEvents} it is refused, logged and counted. */
	@Override
	public void announce(String text) {
		if (this.state == State.UP && this.outbound.size() >= this.settings.maxQueuedEvents()) {
			this.refusedMessages.increment();
			log.log(Level.WARNING, () -> "Chat announcement refused: " + this.settings.maxQueuedEvents()
					+ " events already wait for Redis");
			return;
		}
		broadcast(null, "* " + ChatText.singleLine(text));
	}

	// ---------------------------------------------------------------- protocol side (I/O loops)

	@Override
	public CompletionStage<String> claim(ChatMember member, String name) {
		String invalid = ChatText.checkName(name);
		if (invalid != null) {
			return CompletableFuture.completedFuture(invalid);
		}
		if (this.shuttingDown || this.closed) {
			return CompletableFuture.completedFuture("The server is shutting down");
		}
		if (this.state != State.UP) {
			return CompletableFuture.completedFuture(UNAVAILABLE + "; try again later");
		}
		CompletableFuture<String> claimed = new CompletableFuture<>();
		this.claiming.add(member);
		this.outbound.add(new ClaimOp(member, name, claimed));
		return claimed;
	}

	@Override
	public void leave(ChatMember member) {
		this.present.remove(member);
		if (this.owned.containsKey(member) || this.claiming.contains(member)) {
			this.outbound.add(new ReleaseOp(member));
		}
	}

	@Override
	public void shuttingDown() {
		this.shuttingDown = true;
	}

	@Override
	public void broadcast(ChatMember from, String line) {
		if (this.state != State.UP) {
			// Cut off from the other instances: only this instance's members can be told.
			this.present.forEach((member, claim) -> {
				if (member != from) {
					deliver(member, line);
				}
			});
			return;
		}
		Claim sender = (from != null) ? this.owned.get(from) : null;
		this.outbound.add(new PublishOp(ChatEvent.line(this.instance,
				(sender != null) ? Long.toString(sender.serial()) : ChatEvent.EVERYONE, line), null));
	}

	@Override
	public String publish(ChatMember from, String text) {
		ChatMessageFilter.Result result = this.filter.filter(from, null, text);
		if (!result.isAccepted()) {
			return result.rejection();
		}
		Claim sender = this.owned.get(from);
		if (sender == null) {
			return "Log in first: NAME: <name>";
		}
		return queueMessage(ChatEvent.line(this.instance, Long.toString(sender.serial()),
				from.name() + ": " + ChatText.singleLine(result.text())), from);
	}

	@Override
	public String sendPrivate(ChatMember from, String to, String text) {
		String key = ChatText.key(to);
		String recipient = nameOf(key);
		Claim sender = this.owned.get(from);
		if (recipient == null || sender == null || sender.key().equals(key)) {
			return "No one else here is called '" + ChatText.singleLine(to) + "'; /who lists the members";
		}
		ChatMessageFilter.Result result = this.filter.filter(from, recipient, text);
		if (!result.isAccepted()) {
			return result.rejection();
		}
		return queueMessage(ChatEvent.privateLine(this.instance, key,
				from.name() + " (private): " + ChatText.singleLine(result.text())), from);
	}

	private String queueMessage(ChatEvent event, ChatMember from) {
		if (this.state != State.UP) {
			this.refusedMessages.increment();
			return UNAVAILABLE + "; message not sent";
		}
		if (this.outbound.size() >= this.settings.maxQueuedEvents()) {
			this.refusedMessages.increment();
			log.log(Level.WARNING, () -> "Chat message of " + from + " refused: " + this.settings.maxQueuedEvents()
					+ " events already wait for Redis");
			return "The chat is overloaded; message not sent";
		}
		this.outbound.add(new PublishOp(event, from));
		return null;
	}

	@Override
	public void deliver(ChatMember member, String line) {
		this.delivery.deliver(member, line);
	}

	// ---------------------------------------------------------------- worker

	private void work() {
		long nextHeartbeat = System.nanoTime() + this.heartbeatNanos;
		List<PublishOp> batch = new ArrayList<>(MAX_BATCH);
		while (true) {
			try {
				long wait = nextHeartbeat - System.nanoTime();
				if (wait <= 0) {
					heartbeat();
					nextHeartbeat = System.nanoTime() + this.heartbeatNanos;
					continue;
				}
				Op op = this.outbound.poll(wait, TimeUnit.NANOSECONDS);
				if (op == null) {
					continue;
				}
				if (op instanceof StopOp stop) {
					stopWorker();
					stop.done().complete(null);
					return;
				}
				if (op instanceof PublishOp publish) {
					batch.add(publish);
					while (batch.size() < MAX_BATCH && this.outbound.peek() instanceof PublishOp) {
						batch.add((PublishOp) this.outbound.poll());
					}
					publish(batch);
					batch.clear();
				}
				else if (op instanceof ClaimOp claim) {
					claim(claim);
				}
				else if (op instanceof ReleaseOp release) {
					release(release.member(), release.member().leaveReason());
				}
			}
			catch (InterruptedException ex) {
				log.log(Level.WARNING, "Chat room worker interrupted before its queue was done");
				return;
			}
			catch (RuntimeException ex) {
				// The worker never dies: one failed step is logged, the next goes on.
				log.log(Level.ERROR, "Chat room worker step failed", ex);
			}
		}
	}

	private void publish(List<PublishOp> batch) {
		if (this.state == State.UP) {
			List<String> events = new ArrayList<>(batch.size());
			batch.forEach((op) -> events.add(op.event().encode()));
			try {
				this.store.publish(events);
				return;
			}
			catch (RuntimeException ex) {
				down(ex);
			}
		}
		for (PublishOp op : batch) {
			if (op.sender() != null) {
				this.refusedMessages.increment();
				op.sender().connection().send("! " + UNAVAILABLE + "; message not sent");
			}
		}
	}

	private void publishNow(ChatEvent... events) {
		if (this.state != State.UP) {
			return;
		}
		List<String> wire = new ArrayList<>(events.length);
		for (ChatEvent event : events) {
			wire.add(event.encode());
		}
		try {
			this.store.publish(wire);
		}
		catch (RuntimeException ex) {
			down(ex);
		}
	}

	private void claim(ClaimOp op) {
		ChatMember member = op.member();
		try {
			if (member.leaveReason() != null) {
				op.claimed().complete("You are leaving");
				return;
			}
			if (this.state != State.UP) {
				op.claimed().complete(UNAVAILABLE + "; try again later");
				return;
			}
			String key = ChatText.key(op.name());
			Claim previous = this.owned.get(member);
			ChatMember local = this.localByKey.get(key);
			if (local != null && local != member) {
				op.claimed().complete(taken(op.name()));
				return;
			}
			long serial = (previous != null) ? previous.serial() : this.serials.incrementAndGet();
			boolean ok;
			try {
				ok = this.store.claim(key, op.name(), serial);
			}
			catch (RuntimeException ex) {
				down(ex);
				op.claimed().complete(UNAVAILABLE + "; try again later");
				return;
			}
			if (!ok) {
				op.claimed().complete(taken(op.name()));
				return;
			}
			Claim claim = new Claim(serial, key, op.name());
			member.name(op.name());
			this.owned.put(member, claim);
			this.localByKey.put(key, member);
			String released = "";
			if (previous != null && !previous.key().equals(key)) {
				released = previous.key();
				this.localByKey.remove(previous.key(), member);
				try {
					this.store.release(previous.key(), serial);
				}
				catch (RuntimeException ex) {
					down(ex);
				}
			}
			publishNow(ChatEvent.claim(this.instance, key, op.name(), released));
			op.claimed().complete(null);
			// After the protocol's welcome (queued on the member's loop by the completion above), the
			// member starts receiving the room's lines.
			member.connection().unwrap().execute(() -> {
				if (member.leaveReason() == null && this.owned.get(member) == claim) {
					this.present.put(member, claim);
				}
			});
		}
		finally {
			this.claiming.remove(member);
			if (!op.claimed().isDone()) {
				op.claimed().complete(UNAVAILABLE + "; try again later");
			}
		}
	}

	private static String taken(String name) {
		return "The name '" + name + "' is taken; choose another";
	}

	private void release(ChatMember member, String reason) {
		Claim claim = this.owned.remove(member);
		if (claim == null) {
			return;
		}
		this.present.remove(member);
		this.localByKey.remove(claim.key(), member);
		if (this.state != State.UP) {
			return; // the name expires in Redis by itself; the heartbeat no longer renews it
		}
		try {
			this.store.release(claim.key(), claim.serial());
		}
		catch (RuntimeException ex) {
			down(ex);
			return;
		}
		// While the server stops, its own members are all going: only the other instances are told.
		String excluded = this.shuttingDown ? ChatEvent.OTHER_INSTANCES : Long.toString(claim.serial());
		publishNow(ChatEvent.release(this.instance, claim.key()),
				ChatEvent.line(this.instance, excluded, ChatText.leaveNotice(claim.name(), reason)));
	}

	/**
	 * Renews this instance and its names, announces instances found dead, refreshes the view of the
	 * room and, after an outage, subscribes again. Runs on the worker (and once in {@link #start()}).
	 */
	private void heartbeat() {
		State before = this.state;
		try {
			if (this.subscription == null || before != State.UP) {
				subscribe();
			}
			Map<Long, String[]> claims = new LinkedHashMap<>();
			Map<Long, ChatMember> bySerial = new HashMap<>();
			this.owned.forEach((member, claim) -> {
				claims.put(claim.serial(), new String[] { claim.key(), claim.name() });
				bySerial.put(claim.serial(), member);
			});
			RedisChatStore.Heartbeat beat = this.store.heartbeat(claims);
			for (String key : beat.lostKeys()) {
				ChatMember member = this.localByKey.get(key);
				if (member != null) {
					lostName(member);
				}
			}
			Map<String, Map<String, String>> dead = this.store.reap();
			this.state = State.UP;
			this.lastError = null;
			announceDead(dead);
			Map<String, Map<String, String>> members = this.store.members();
			this.view.keySet().retainAll(members.keySet());
			members.forEach((instance, names) -> this.view.put(instance, new ConcurrentHashMap<>(names)));
			boolean lostData = this.connectedBefore && beat.fresh();
			if (this.connectedBefore && (before == State.DOWN || lostData)) {
				log.log(Level.INFO, () -> "Chat room " + this.instance + " is connected to Redis again"
						+ (lostData ? " (Redis had forgotten this instance: restarted empty, or took it for dead)" : ""));
				tellLocal("* The chat is connected again; messages sent while it was not may have been lost");
			}
			if (lostData) {
				// Redis forgot this instance (it restarted empty, or a survivor took this instance for
				// dead after a pause and announced its members as left): announce them again.
				rejoin();
			}
			else if (!this.connectedBefore) {
				log.log(Level.INFO, () -> "Chat room " + this.instance + " joined the room on Redis");
			}
			this.connectedBefore = true;
		}
		catch (RuntimeException ex) {
			down(ex);
		}
	}

	private void subscribe() {
		if (this.subscription != null) {
			RedisConnection old = this.subscription;
			this.subscription = null;
			try {
				old.close();
			}
			catch (RuntimeException ex) {
				log.log(Level.DEBUG, "Closing the old chat subscription failed", ex);
			}
		}
		this.subscription = this.store.subscribe(new Subscriber());
	}

	/**
	 * Hands the channel's events to the dispatcher. Lettuce subscribes again by itself after its
	 * connection was cut (a kill, a network blip shorter than a heartbeat): each subscription after
	 * the first means events may have been missed in between, and the members are told.
	 */
	private final class Subscriber implements MessageListener, SubscriptionListener {

		private final AtomicLong subscriptions = new AtomicLong();

		@Override
		public void onMessage(Message message, byte[] pattern) {
			if (!RedisChatRoom.this.inbound.offer(new String(message.getBody(), StandardCharsets.UTF_8))) {
				// The subscription must never wait for a member or the dispatcher: drop, count, tell.
				RedisChatRoom.this.droppedEvents.increment();
				RedisChatRoom.this.inboundLost.set(true);
			}
		}

		@Override
		public void onChannelSubscribed(byte[] channel, long count) {
			if (this.subscriptions.incrementAndGet() > 1) {
				RedisChatRoom.this.resubscriptions.increment();
				RedisChatRoom.this.resubscribed.set(true);
			}
		}

	}

	private void rejoin() {
		List<ChatEvent> events = new ArrayList<>();
		this.owned.forEach((member, claim) -> {
			events.add(ChatEvent.claim(this.instance, claim.key(), claim.name(), ""));
			events.add(ChatEvent.line(this.instance, Long.toString(claim.serial()),
					"* " + claim.name() + " joined the room"));
		});
		if (!events.isEmpty()) {
			publishNow(events.toArray(ChatEvent[]::new));
		}
	}

	private void announceDead(Map<String, Map<String, String>> dead) {
		dead.forEach((instance, names) -> {
			this.reapedInstances.increment();
			this.view.remove(instance);
			log.log(Level.WARNING, () -> "Chat instance " + instance + " stopped renewing its members; announcing "
					+ names.size() + " of them as left");
			List<ChatEvent> events = new ArrayList<>();
			names.forEach((key, name) -> {
				events.add(ChatEvent.release(instance, key));
				events.add(ChatEvent.line(this.instance, ChatEvent.EVERYONE,
						ChatText.leaveNotice(name, "its server stopped responding")));
			});
			publishNow(events.toArray(ChatEvent[]::new));
		});
	}

	private void lostName(ChatMember member) {
		Claim claim = this.owned.remove(member);
		this.present.remove(member);
		if (claim != null) {
			this.localByKey.remove(claim.key(), member);
		}
		log.log(Level.WARNING, () -> member + " lost its name to another instance while Redis was unreachable");
		member.connection().send("! Your name was taken on another server while this one was cut off; log in again");
		member.disconnect("name lost during a Redis outage");
	}

	private void down(RuntimeException ex) {
		this.lastError = ex.getClass().getSimpleName() + ": " + ex.getMessage();
		State before = this.state;
		if (before == State.DOWN || before == State.STOPPED) {
			return;
		}
		this.state = State.DOWN;
		this.outages.increment();
		log.log(Level.WARNING, () -> "Chat room " + this.instance + " lost its connection to Redis (" + this.lastError
				+ "): new logins and messages are refused until it is back; members stay connected");
		tellLocal("* The chat lost its connection to its other servers: messages cannot be sent until it is back");
	}

	private void tellLocal(String line) {
		this.present.forEach((member, claim) -> deliver(member, line));
	}

	private void stopWorker() {
		for (ChatMember member : new ArrayList<>(this.owned.keySet())) {
			String reason = member.leaveReason();
			release(member, (reason != null) ? reason : "server shutting down");
		}
		if (this.state == State.UP) {
			try {
				this.store.deregister();
			}
			catch (RuntimeException ex) {
				log.log(Level.WARNING, () -> "Chat room " + this.instance + " could not deregister: " + ex);
			}
		}
		this.state = State.STOPPED;
		if (this.subscription != null) {
			try {
				this.subscription.close();
			}
			catch (RuntimeException ex) {
				log.log(Level.DEBUG, "Closing the chat subscription failed", ex);
			}
			this.subscription = null;
		}
	}

	// ---------------------------------------------------------------- dispatcher

	private void dispatch() {
		while (!this.closed || !this.inbound.isEmpty()) {
			String wire;
			try {
				wire = this.inbound.poll(100, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				return;
			}
			if (this.resubscribed.getAndSet(false)) {
				log.log(Level.WARNING, () -> "Chat room " + this.instance + " was subscribed again after its Redis "
						+ "subscription was cut; events published meanwhile are lost");
				tellLocal("* The chat's connection was interrupted; messages sent meanwhile may have been lost");
			}
			if (this.inboundLost.getAndSet(false)) {
				log.log(Level.WARNING, () -> "Chat room " + this.instance + " fell behind its Redis channel; "
						+ "events were dropped (" + this.droppedEvents.sum() + " so far)");
				tellLocal("* The chat fell behind; some messages may have been lost");
			}
			if (wire == null) {
				continue;
			}
			try {
				apply(ChatEvent.decode(wire));
			}
			catch (RuntimeException ex) {
				log.log(Level.WARNING, () -> "Chat room " + this.instance + " ignored an event it could not apply: "
						+ ex.getMessage());
			}
		}
	}

	private void apply(ChatEvent event) {
		boolean mine = event.instance().equals(this.instance);
		switch (event.type()) {
			case LINE -> {
				boolean othersOnly = mine && ChatEvent.OTHER_INSTANCES.equals(event.target());
				long excluded = (mine && !othersOnly && !event.target().isEmpty()) ? Long.parseLong(event.target()) : -1;
				if (othersOnly) {
					return;
				}
				this.present.forEach((member, claim) -> {
					if (claim.serial() != excluded) {
						deliver(member, event.text());
					}
				});
			}
			case PRIVATE -> {
				ChatMember member = this.localByKey.get(event.target());
				if (member != null && this.present.containsKey(member)) {
					deliver(member, event.text());
				}
			}
			case CLAIM -> {
				Map<String, String> names = this.view.computeIfAbsent(event.instance(), (k) -> new ConcurrentHashMap<>());
				if (!event.previous().isEmpty()) {
					names.remove(event.previous());
				}
				names.put(event.target(), event.name());
			}
			case RELEASE -> {
				Map<String, String> names = this.view.get(event.instance());
				if (names != null) {
					names.remove(event.target());
				}
			}
		}
	}

	// ---------------------------------------------------------------- stop

	/**
	 * Leaves the room: releases every name still held (the other instances are told of the leaves),
	 * takes this instance out of Redis and stops the threads, waiting up to the stop timeout for what
	 * is queued. Idempotent.
	 */
	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.shuttingDown = true;
		CompletableFuture<Void> done = new CompletableFuture<>();
		if (this.worker.isAlive()) {
			this.outbound.add(new StopOp(done));
			try {
				done.get(this.settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (Exception ex) {
				log.log(Level.WARNING, () -> "Chat room " + this.instance + " did not finish its queue within "
						+ this.settings.stopTimeout() + "; stopping anyway");
				this.worker.interrupt();
			}
		}
		else {
			stopWorker();
		}
		this.state = State.STOPPED;
		this.closed = true;
		try {
			this.dispatcher.join(1000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.dispatcher.interrupt();
	}

	@Override
	public String toString() {
		return "RedisChatRoom " + this.instance + " (" + this.state + ", " + this.settings.keyPrefix() + ")";
	}

	/** A member's name as held in Redis: {@code serial} makes the owner token unique per member. */
	private record Claim(long serial, String key, String name) {
	}

	private sealed interface Op permits PublishOp, ClaimOp, ReleaseOp, StopOp {
	}

	/** @param sender the member to tell if the message cannot be sent, {@code null} for notices */
	private record PublishOp(ChatEvent event, ChatMember sender) implements Op {
	}

	private record ClaimOp(ChatMember member, String name, CompletableFuture<String> claimed) implements Op {
	}

	private record ReleaseOp(ChatMember member) implements Op {
	}

	private record StopOp(CompletableFuture<Void> done) implements Op {
	}

}
