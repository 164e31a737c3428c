package io.github.tcpserver.blocking;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.tcpserver.protocol.websocket.WebSocketCloseCodes;
import io.github.tcpserver.protocol.websocket.WebSocketHandler;
import io.github.tcpserver.protocol.websocket.WebSocketSession;

/**
 * Runs a {@link WebSocketHandler} that may block (a database call, a remote service) on an
 * executor instead of the I/O threads, as {@link OffloadingHandler} does for a connection handler.
 * The callbacks of one session run one at a time and in arrival order, sessions in parallel; a
 * session with more than {@code maxPendingMessages} messages not yet handled stops being read
 * until it has caught up to half that. A callback that throws closes its session with 1011.
 * <p>
 * {@code onShutdown} runs on the executor too, so a farewell sent there may come after the Close
 * 1001 the server sends at shutdown and is then dropped.
 */
public final class OffloadingWebSocketHandler implements WebSocketHandler {

	private static final System.Logger log = System.getLogger(OffloadingWebSocketHandler.class.getName());

	/** Default bound of a session's messages queued for the delegate. */
	public static final int DEFAULT_MAX_PENDING_MESSAGES = 64;

	private final WebSocketHandler delegate;

	private final Executor executor;

	private final int maxPendingMessages;

	private final Map<WebSocketSession, Lane> lanes = new ConcurrentHashMap<>();

	/**
	 * @param delegate the handler to run off the I/O threads
	 * @param executor where it runs; shared by all sessions
	 * @param maxPendingMessages messages of one session queued for the delegate above which reading
	 * from that session pauses
	 */
	public OffloadingWebSocketHandler(WebSocketHandler delegate, Executor executor, int maxPendingMessages) {
		this.delegate = Objects.requireNonNull(delegate, "delegate");
		this.executor = Objects.requireNonNull(executor, "executor");
		if (maxPendingMessages < 1) {
			throw new IllegalArgumentException("maxPendingMessages must be at least 1 but was " + maxPendingMessages);
		}
		this.maxPendingMessages = maxPendingMessages;
	}

	/** @return the handler whose callbacks run on the executor */
	public WebSocketHandler delegate() {
		return this.delegate;
	}

	@Override
	public void onOpen(WebSocketSession session) {
		Lane lane = new Lane(new SerialExecutor(this.executor, session.toString()));
		this.lanes.put(session, lane);
		lane.serial.execute(() -> call(session, "onOpen", () -> this.delegate.onOpen(session)));
	}

	@Override
	public void onText(WebSocketSession session, String text) {
		message(session, () -> this.delegate.onText(session, text));
	}

	@Override
	public void onBinary(WebSocketSession session, ByteBuffer data) {
		ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip(); // the decoder's buffer is reused
		message(session, () -> this.delegate.onBinary(session, copy));
	}

	@Override
	public void onWritabilityChanged(WebSocketSession session) {
		Lane lane = this.lanes.get(session);
		if (lane != null) {
			lane.serial.execute(() -> call(session, "onWritabilityChanged", () -> this.delegate.onWritabilityChanged(session)));
		}
	}

	@Override
	public void onShutdown(WebSocketSession session) {
		Lane lane = this.lanes.get(session);
		if (lane != null) {
			lane.serial.execute(() -> call(session, "onShutdown", () -> this.delegate.onShutdown(session)));
		}
	}

	@Override
	public void onClose(WebSocketSession session, int code, String reason) {
		Lane lane = this.lanes.remove(session);
		if (lane != null) {
			// After the messages queued before it, like every other callback.
			lane.serial.execute(() -> call(session, "onClose", () -> this.delegate.onClose(session, code, reason)));
		}
	}

	private void message(WebSocketSession session, Runnable callback) {
		Lane lane = this.lanes.get(session);
		if (lane == null) {
			return;
		}
		if (lane.pending.incrementAndGet() >= this.maxPendingMessages && lane.paused.compareAndSet(false, true)) {
			session.pauseReading(); // TCP flow control holds the client until the delegate catches up
		}
		lane.serial.execute(() -> {
			try {
				call(session, "onMessage", callback);
			}
			finally {
				if (lane.pending.decrementAndGet() <= this.maxPendingMessages / 2 && lane.paused.compareAndSet(true, false)) {
					session.resumeReading();
				}
			}
		});
	}

	private static void call(WebSocketSession session, String callback, Runnable call) {
		try {
			call.run();
		}
		catch (RuntimeException ex) {
			log.log(Level.WARNING, "Offloaded WebSocket handler failed in " + callback + " on " + session
					+ "; closing with 1011", ex);
			session.close(WebSocketCloseCodes.INTERNAL_ERROR, "Internal error");
		}
	}

	@Override
	public String toString() {
		return "OffloadingWebSocketHandler [" + this.delegate.getClass().getSimpleName() + "]";
	}

	/** The serial queue of one session and its count of messages not yet handled. */
	private static final class Lane {

		final SerialExecutor serial;

		final AtomicInteger pending = new AtomicInteger();

		final AtomicBoolean paused = new AtomicBoolean();

		Lane(SerialExecutor serial) {
			this.serial = serial;
		}

	}

}
