package io.github.tcpserver.blocking;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;

/**
 * Serves a listener with a blocking {@link StreamHandler}, socketserver style: each connection's
 * {@code handle} runs on an executor thread for the connection's whole life, reading and writing
 * streams, while the I/O thread reads the socket into a bounded buffer (pausing the connection
 * when it is full) and writes what the handler wrote.
 * <p>
 * A thread is taken for as long as {@code handle} runs, so the executor must have one per
 * concurrent connection: virtual threads, or a pool sized for it. On a graceful stop reading
 * stops, the handler sees the end of input after the bytes already received, and the connection
 * is closed when it returns (within the stop's deadline).
 */
public final class StreamHandlerAdapter implements ConnectionHandler {

	private static final System.Logger log = System.getLogger(StreamHandlerAdapter.class.getName());

	/** Default bound of a connection's input buffered for its handler. */
	public static final long DEFAULT_MAX_BUFFERED_INPUT = 64 * 1024;

	private final StreamHandler handler;

	private final Executor executor;

	private final long maxBufferedInput;

	private final AtomicInteger running = new AtomicInteger();

	/**
	 * @param handler serves each connection
	 * @param executor runs {@code handle}, one task per connection for the connection's life
	 * @param maxBufferedInput input of one connection buffered for its handler above which reading
	 * from that connection pauses; also the bound of its output still on its way to the I/O thread
	 */
	public StreamHandlerAdapter(StreamHandler handler, Executor executor, long maxBufferedInput) {
		this.handler = Objects.requireNonNull(handler, "handler");
		this.executor = Objects.requireNonNull(executor, "executor");
		if (maxBufferedInput < 1) {
			throw new IllegalArgumentException("maxBufferedInput must be at least 1 but was " + maxBufferedInput);
		}
		this.maxBufferedInput = maxBufferedInput;
	}

	/** @return the stream handler this adapter runs */
	public StreamHandler handler() {
		return this.handler;
	}

	/** @return calls of {@code handle} in progress */
	public int runningHandlers() {
		return this.running.get();
	}

	@Override
	public void onOpen(Connection connection) {
		BlockingStreamConnection stream = new BlockingStreamConnection(connection, this.maxBufferedInput);
		connection.attach(stream);
		this.running.incrementAndGet();
		try {
			this.executor.execute(() -> {
				try {
					stream.run(this.handler);
				}
				finally {
					this.running.decrementAndGet();
				}
			});
		}
		catch (RejectedExecutionException ex) {
			this.running.decrementAndGet();
			log.log(Level.WARNING, "No thread to serve " + connection + " (the executor rejected it: " + ex.getMessage()
					+ "); closing it");
			connection.close();
		}
	}

	@Override
	public void onRead(Connection connection, ByteBuffer data) {
		stream(connection).input().received(data);
	}

	/** A writer blocked on a slow peer may go on. */
	@Override
	public void onWritabilityChanged(Connection connection) {
		stream(connection).output().wakeWriter();
	}

	/** Half-close: the handler reads -1 and may still write; its return closes the connection. */
	@Override
	public void onInputClosed(Connection connection) {
		stream(connection).input().endOfInput();
	}

	@Override
	public void onShutdown(Connection connection) {
		stream(connection).input().stop();
	}

	@Override
	public boolean closeAfterShutdown() {
		return false;
	}

	@Override
	public void onError(Connection connection, Throwable error) {
		stream(connection).input().failed(error);
	}

	@Override
	public void onClose(Connection connection) {
		stream(connection).closed();
	}

	private static BlockingStreamConnection stream(Connection connection) {
		return (BlockingStreamConnection) connection.attachment();
	}

	@Override
	public String toString() {
		return "StreamHandlerAdapter[" + this.handler.getClass().getName() + "]";
	}


	@Override
	public String description() {
		return this.handler.getClass().getSimpleName() + " (stream handler)";
	}

}
