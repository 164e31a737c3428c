package io.github.tcpserver.blocking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;

import io.github.tcpserver.core.Connection;

/**
 * A {@link StreamConnection} over a reactor connection, and the run of its handler: the handler's
 * return closes the output, so the connection closes once its queued output is written.
 */
final class BlockingStreamConnection implements StreamConnection {

	private static final System.Logger log = System.getLogger(BlockingStreamConnection.class.getName());

	private final Connection connection;

	private final ConnectionInputStream input;

	private final ConnectionOutputStream output;

	BlockingStreamConnection(Connection connection, long maxBufferedInput) {
		this.connection = connection;
		this.input = new ConnectionInputStream(connection, maxBufferedInput);
		this.output = new ConnectionOutputStream(connection, maxBufferedInput);
	}

	/** Runs the handler on the calling (executor) thread. */
	void run(StreamHandler handler) {
		try {
			handler.handle(this);
		}
		catch (IOException ex) {
			// A reset or a closed connection is the peer's doing, as with a plain socket.
			log.log(Level.DEBUG, () -> "Stream handler of " + this.connection + " ended with " + ex);
		}
		catch (Throwable ex) {
			log.log(Level.WARNING, "Stream handler " + handler.getClass().getName() + " threw on " + this.connection
					+ "; closing that connection", ex);
			this.connection.closeForHandlerError();
			return;
		}
		this.output.close();
	}

	ConnectionInputStream input() {
		return this.input;
	}

	ConnectionOutputStream output() {
		return this.output;
	}

	/** The connection is closed: wake blocked reads, fail later writes. I/O thread. */
	void closed() {
		// Our own close (the handler returned or closed its output) ends the input quietly; any
		// other close without an end of input is a failure for a reader, as on a socket.
		this.input.connectionClosed(this.output.isClosed());
		this.output.wakeWriter(); // a writer waiting for the peer fails now instead of at its next check
	}

	@Override
	public long id() {
		return this.connection.id();
	}

	@Override
	public String listenerName() {
		return this.connection.listenerName();
	}

	@Override
	public InetSocketAddress remoteAddress() {
		return this.connection.remoteAddress();
	}

	@Override
	public InetSocketAddress localAddress() {
		return this.connection.localAddress();
	}

	@Override
	public InputStream getInputStream() {
		return this.input;
	}

	@Override
	public OutputStream getOutputStream() {
		return this.output;
	}

	@Override
	public void setReadTimeout(Duration timeout) {
		if (timeout == null || timeout.isNegative()) {
			throw new IllegalArgumentException("A read timeout must be zero or positive but was " + timeout);
		}
		this.input.setReadTimeout(timeout.toNanos());
	}

	@Override
	public boolean isOpen() {
		return this.connection.isOpen();
	}

	@Override
	public void close() {
		this.connection.close();
	}

	@Override
	public String toString() {
		return this.connection.toString();
	}

}
