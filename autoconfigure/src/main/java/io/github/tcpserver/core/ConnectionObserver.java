package io.github.tcpserver.core;

/**
 * Watches connections open and close across all listeners, for monitoring or application events.
 * Optional: a server without one pays nothing. Both calls run on the connection's I/O loop thread,
 * once per connection each, never per read or write; they must not block.
 */
public interface ConnectionObserver {

	/**
	 * A connection was accepted; called before its handler's {@code onOpen}, so that it always
	 * precedes {@link #connectionClosed}.
	 * @param connection the new connection
	 */
	default void connectionOpened(Connection connection) {
	}

	/**
	 * A connection closed, for any reason; its counters are final.
	 * @param connection the closed connection
	 */
	default void connectionClosed(Connection connection) {
	}

	/**
	 * A connection closed, and why; the server calls this one. By default it calls
	 * {@link #connectionClosed(Connection)}, so observers that do not care why need not change.
	 * @param connection the closed connection
	 * @param reason how it ended
	 */
	default void connectionClosed(Connection connection, CloseReason reason) {
		connectionClosed(connection);
	}

}
