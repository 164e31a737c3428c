package io.github.tcpserver.core;

import java.nio.ByteBuffer;

/**
 * The protocol side of a listener: receives the events of every connection accepted on it.
 * <p>
 * All callbacks of one connection run on that connection's I/O loop thread, one at a time, so a
 * handler needs no locking for per-connection state. They must not block: a handler that waits
 * (a database call, a sleep) stalls every connection of that loop.
 */
public interface ConnectionHandler {

	/**
	 * How logs name this handler (the start-up line of each listener). Adapters name what they
	 * wrap, so that the log shows the application's class, not the adapter's.
	 * @return a short description, by default the simple class name
	 */
	default String description() {
		return getClass().getSimpleName();
	}

	/**
	 * A connection was accepted and registered with its I/O loop.
	 * @param connection the new connection
	 */
	default void onOpen(Connection connection) {
	}

	/**
	 * Bytes arrived. {@code data} is the I/O loop's shared read buffer: it is valid only during
	 * this call and must not be kept; copy what you need. Writing it back with
	 * {@link Connection#write(ByteBuffer)} is fine (the bytes are sent or copied before it
	 * returns).
	 * @param connection the connection the bytes came from
	 * @param data the bytes, between position and limit
	 */
	void onRead(Connection connection, ByteBuffer data);

	/**
	 * {@link Connection#isWritable()} may have changed: queued output went above the write
	 * high-water mark (the connection is no longer writable, and reading from it pauses), or the
	 * connection is writable again (the queue drained to the low-water mark) after that or after
	 * any thread found {@code isWritable()} false. A handler that produces more than it reads (a
	 * download, a feed, a proxy from a faster source) writes while {@code isWritable()} holds and
	 * goes on from here, so that what it queues stays bounded instead of reaching
	 * {@code tcp.server.max-queued-output}, which closes the connection. Once the connection is
	 * closing, no call comes; {@link #onClose} does.
	 * <p>
	 * Called on the I/O thread, possibly from within a {@link Connection#write(ByteBuffer)} that
	 * crossed the high-water mark. A "writable" call need not follow a "not writable" one (another
	 * thread may have been the one to find the connection unwritable), so ask the connection here
	 * rather than toggling a flag.
	 * @param connection the connection; ask it {@link Connection#isWritable()}
	 */
	default void onWritabilityChanged(Connection connection) {
	}

	/**
	 * The peer shut down its output (end of stream). Queued output is still delivered; the
	 * default then closes the connection, as a half-closed peer expects.
	 * @param connection the connection whose input ended
	 */
	default void onInputClosed(Connection connection) {
		connection.closeAfterFlush();
	}

	/**
	 * The server is shutting down gracefully: it has stopped accepting and will close this
	 * connection once its queued output is written. A protocol may queue a farewell here.
	 * @param connection a connection that is still open
	 */
	default void onShutdown(Connection connection) {
	}

	/**
	 * Whether the server closes a connection (after writing its queued output) as soon as
	 * {@link #onShutdown} returns. A handler whose work for a connection goes on on other threads
	 * returns {@code false} and closes the connection itself, usually with
	 * {@link Connection#closeAfterFlush()}, once that work is done; the stop's deadline still
	 * closes whatever is left.
	 * @return {@code true} (the default) to let the server close the connection at once
	 */
	default boolean closeAfterShutdown() {
		return true;
	}

	/**
	 * A callback of this handler threw, or the connection failed with an I/O error. The
	 * connection is closed right after this call.
	 * @param connection the failing connection
	 * @param error what went wrong
	 */
	default void onError(Connection connection, Throwable error) {
	}

	/**
	 * What {@code connection} speaks now when that is not this handler's protocol (a WebSocket
	 * path on an HTTP listener), for monitoring; called from any thread.
	 * @param connection an open connection of this handler
	 * @return a short description such as {@code WebSocket /chat}, or {@code null} by default
	 */
	default String protocolOf(Connection connection) {
		return null;
	}

	/**
	 * The connection is closed and its resources are released. Called exactly once.
	 * @param connection the closed connection
	 */
	default void onClose(Connection connection) {
	}

}
