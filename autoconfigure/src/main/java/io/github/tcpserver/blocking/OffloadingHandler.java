package io.github.tcpserver.blocking;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Executor;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;

/**
 * Runs a {@link ConnectionHandler} that may block (a database call, a remote service) on an
 * executor instead of the I/O threads. Events of one connection are handled one at a time and in
 * arrival order, different connections in parallel; a connection whose handler falls behind by
 * more than {@code maxPendingBytes} of input stops being read until it has caught up to half that.
 * <p>
 * The delegate sees each connection through a view with an attachment of its own. Its callbacks
 * run on executor threads, so {@link Connection#write} copies; a delegate that throws gets
 * {@code onError} and its connection is closed, as on the I/O thread. On a graceful stop the
 * connection is closed only after the events queued before it (and the delegate's
 * {@code onShutdown}) have run, within the stop's deadline.
 */
public final class OffloadingHandler implements ConnectionHandler {

	private static final System.Logger log = System.getLogger(OffloadingHandler.class.getName());

	/** Default bound of a connection's input queued for the delegate and not yet handled. */
	public static final long DEFAULT_MAX_PENDING_BYTES = 64 * 1024;

	/**
	 * Reads queued for the delegate beyond which reading pauses whatever their size, so that a
	 * trickle of one-byte reads is bounded too (each costs a task and a buffer).
	 */
	static final int MAX_PENDING_READS = 1024;

	private final ConnectionHandler delegate;

	private final Executor executor;

	private final long maxPendingBytes;

	private final OffloadedCallObserver callObserver;

	/**
	 * @param delegate the handler to run off the I/O threads
	 * @param executor where it runs; shared by all connections
	 * @param maxPendingBytes input of one connection queued for the delegate above which reading
	 * from that connection pauses
	 */
	public OffloadingHandler(ConnectionHandler delegate, Executor executor, long maxPendingBytes) {
		this(delegate, executor, maxPendingBytes, OffloadedCallObserver.NONE);
	}

	/**
	 * @param delegate the handler to run off the I/O threads
	 * @param executor where it runs; shared by all connections
	 * @param maxPendingBytes input of one connection queued for the delegate above which reading
	 * from that connection pauses
	 * @param callObserver told of each call of the delegate (metrics, tracing)
	 */
	public OffloadingHandler(ConnectionHandler delegate, Executor executor, long maxPendingBytes,
			OffloadedCallObserver callObserver) {
		this.callObserver = Objects.requireNonNull(callObserver, "callObserver");
		this.delegate = Objects.requireNonNull(delegate, "delegate");
		this.executor = Objects.requireNonNull(executor, "executor");
		if (maxPendingBytes < 1) {
			throw new IllegalArgumentException("maxPendingBytes must be at least 1 but was " + maxPendingBytes);
		}
		this.maxPendingBytes = maxPendingBytes;
	}

	/** @return the handler whose callbacks run on the executor */
	public ConnectionHandler delegate() {
		return this.delegate;
	}

	@Override
	public void onOpen(Connection connection) {
		OffloadedConnection view = new OffloadedConnection(connection,
				new SerialExecutor(this.executor, connection.listenerName() + "-" + connection.id()),
				this.maxPendingBytes, MAX_PENDING_READS);
		connection.attach(view);
		submit(view, "onOpen", () -> this.delegate.onOpen(view));
	}

	@Override
	public void onRead(Connection connection, ByteBuffer data) {
		OffloadedConnection view = view(connection);
		int length = data.remaining();
		// The read buffer is the I/O loop's and is reused as soon as this returns.
		ByteBuffer copy = ByteBuffer.allocate(length).put(data).flip();
		view.received(length);
		submit(view, "onRead", () -> {
			try {
				this.delegate.onRead(view, copy);
			}
			finally {
				view.handled(length);
			}
		});
	}

	/** Forwarded in order with the reads; by the time it runs, ask the connection again. */
	@Override
	public void onWritabilityChanged(Connection connection) {
		OffloadedConnection view = view(connection);
		submit(view, "onWritabilityChanged", () -> this.delegate.onWritabilityChanged(view));
	}

	@Override
	public void onInputClosed(Connection connection) {
		OffloadedConnection view = view(connection);
		submit(view, "onInputClosed", () -> this.delegate.onInputClosed(view));
	}

	@Override
	public void onShutdown(Connection connection) {
		OffloadedConnection view = view(connection);
		// No new work: what is queued runs, then the connection closes (closeAfterShutdown).
		view.stopReading();
		submit(view, "onShutdown", () -> {
			try {
				this.delegate.onShutdown(view);
			}
			finally {
				if (this.delegate.closeAfterShutdown()) {
					connection.closeAfterFlush();
				}
			}
		});
	}

	@Override
	public boolean closeAfterShutdown() {
		return false;
	}

	@Override
	public void onError(Connection connection, Throwable error) {
		OffloadedConnection view = view(connection);
		// Flagged in order, behind the reads already queued: input that arrived before a reset is
		// still handled, as it would be by a handler on the I/O thread.
		view.executor().execute(() -> {
			view.failed = true;
			notifyError(view, error);
		});
	}

	@Override
	public void onClose(Connection connection) {
		OffloadedConnection view = view(connection);
		view.executor().execute(() -> {
			try {
				this.delegate.onClose(view);
			}
			catch (Throwable ex) {
				log.log(Level.WARNING, "Handler " + this.delegate.getClass().getName() + " failed in onClose of "
						+ connection, ex);
			}
		});
	}

	/**
	 * Queues one callback of the delegate. Once a callback has failed the connection is closing,
	 * so the events still queued behind it are skipped (as on the I/O thread, where the failing
	 * call closes the connection at once); only {@code onClose} follows.
	 */
	private void submit(OffloadedConnection view, String callback, Runnable call) {
		view.executor().execute(() -> {
			if (view.failed) {
				return;
			}
			OffloadedCallObserver.Completion observed = this.callObserver.callStarted(view, callback);
			Throwable failure = null;
			try {
				call.run();
			}
			catch (Throwable ex) {
				failure = ex;
				view.failed = true;
				log.log(Level.WARNING, "Handler " + this.delegate.getClass().getName() + " threw in " + callback
						+ " on " + view.connection() + "; closing that connection", ex);
				notifyError(view, ex);
				view.connection().closeForHandlerError();
			}
			finally {
				observed.callEnded(failure);
			}
		});
	}

	private void notifyError(OffloadedConnection view, Throwable error) {
		try {
			this.delegate.onError(view, error);
		}
		catch (Throwable nested) {
			error.addSuppressed(nested);
			log.log(Level.WARNING, "Handler " + this.delegate.getClass().getName() + " failed in onError of "
					+ view.connection(), nested);
		}
	}

	private static OffloadedConnection view(Connection connection) {
		return (OffloadedConnection) connection.attachment();
	}

	@Override
	public String toString() {
		return "OffloadingHandler[" + this.delegate.getClass().getName() + "]";
	}


	@Override
	public String description() {
		return this.delegate.description() + " (offloaded to an executor)";
	}

}
