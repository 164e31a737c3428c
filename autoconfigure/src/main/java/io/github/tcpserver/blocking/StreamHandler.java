package io.github.tcpserver.blocking;

import java.io.IOException;

/**
 * A connection handled by plain blocking code, the analogue of Python's
 * {@code socketserver.BaseRequestHandler.handle()}: read the connection's input stream, write its
 * output stream, return when done. It runs on an executor thread (ideally a virtual one) while the
 * I/O threads move the bytes; see {@link StreamHandlerAdapter}.
 */
@FunctionalInterface
public interface StreamHandler {

	/**
	 * Serves one connection. Reads block until bytes arrive and return -1 at the end of the peer's
	 * input; writes are queued for the socket at once. When this returns (or throws) the
	 * connection is closed after its queued output is written.
	 * @param connection the connection and its streams
	 * @throws IOException as reading or writing a socket would (the connection was reset, say);
	 * logged at debug level
	 */
	void handle(StreamConnection connection) throws IOException;

}
