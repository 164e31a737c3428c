package io.github.tcpserver.blocking;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One connection as a {@link StreamHandler} sees it: blocking streams over the bytes the I/O
 * threads move, with the semantics of a socket's streams.
 */
public interface StreamConnection {

	/** @return the server-wide unique id of this connection */
	long id();

	/** @return the name of the listener that accepted this connection */
	String listenerName();

	/** @return the peer's address */
	InetSocketAddress remoteAddress();

	/** @return the local address the connection was accepted on */
	InetSocketAddress localAddress();

	/**
	 * The peer's bytes. {@code read} blocks until bytes arrive and returns what has arrived (up to
	 * the length asked for), -1 once the peer has shut down its output (or the server is stopping)
	 * and the bytes before that are read; it throws {@link java.net.SocketException} when the
	 * connection was closed without an end of input (a reset, a forced close). Closing this stream
	 * discards further input, like {@code Socket.shutdownInput()}.
	 * @return the input stream, the same one on every call
	 */
	InputStream getInputStream();

	/**
	 * Bytes for the peer. {@code write} hands them to the I/O thread and blocks only while the
	 * connection's queued output is above the write high-water mark (the peer reads slowly);
	 * {@code flush} has nothing to do. Closing it sends the queued bytes, then FIN
	 * ({@link io.github.tcpserver.core.Connection#closeAfterFlush()}); input after that is discarded.
	 * @return the output stream, the same one on every call
	 */
	OutputStream getOutputStream();

	/**
	 * Like {@code Socket.setSoTimeout}: a read that waits this long for bytes throws
	 * {@link java.net.SocketTimeoutException} (the connection stays usable).
	 * @param timeout the timeout, or {@link Duration#ZERO} to wait indefinitely (the default)
	 */
	void setReadTimeout(Duration timeout);

	/** @return {@code true} until the connection is closed */
	boolean isOpen();

	/** Closes the connection at once; queued output is discarded and blocked reads fail. */
	void close();

}
