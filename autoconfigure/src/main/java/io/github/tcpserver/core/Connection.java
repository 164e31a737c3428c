package io.github.tcpserver.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import javax.net.ssl.SSLSession;

/**
 * One accepted TCP connection as a handler sees it: its identity, its outbound queue and its
 * close operations. Every method may be called from any thread; state changes (writes, closes,
 * reading pauses) are carried out on the connection's I/O thread, in call order per thread.
 */
public interface Connection {

	/** @return the server-wide unique id of this connection (starts at 1) */
	long id();

	/** @return the name of the listener (the handler bean) that accepted this connection */
	String listenerName();

	/**
	 * @return the client's address: the socket's peer, or, on a PROXY protocol listener, the client
	 * its balancer named in the header (from {@code onOpen} on)
	 */
	InetSocketAddress remoteAddress();

	/**
	 * @return the balancer's address (the socket's peer) on a PROXY protocol listener, else
	 * {@code null}
	 */
	default InetSocketAddress proxyAddress() {
		return null;
	}

	/**
	 * The PROXY protocol header of a connection on a PROXY protocol listener, with the TLVs of a
	 * version 2 header (ALPN, authority, unique ID, SSL).
	 * @return the header (always, from {@code onOpen} on), or {@code null} on another listener
	 */
	default io.github.tcpserver.core.proxy.ProxyHeader proxyHeader() {
		return null;
	}

	/** @return the local address the connection was accepted on */
	InetSocketAddress localAddress();

	/**
	 * Sends the bytes between {@code data}'s position and limit. On the connection's own loop
	 * thread with nothing queued they go straight to the socket; whatever the socket does not
	 * take is copied into the outbound queue. From any other thread the bytes are copied and
	 * handed to the loop. Either way the caller may reuse {@code data} once this returns.
	 * Writes to a closed connection are dropped.
	 * @param data the bytes to send; its position is advanced past the bytes taken
	 */
	void write(ByteBuffer data);

	/**
	 * Sends all of {@code data}.
	 * @param data the bytes to send
	 */
	default void write(byte[] data) {
		write(ByteBuffer.wrap(data));
	}

	/**
	 * Sends {@code text} encoded as UTF-8.
	 * @param text the text to send
	 */
	default void write(String text) {
		write(text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Sends {@code count} bytes of {@code file} from {@code position}, behind everything written
	 * before this call and ahead of everything written after it. The bytes are read only as the
	 * peer takes them (while queued output is below the high-water mark), so a file of any size
	 * costs about the high-water mark in memory whatever the peer's speed. On a plain listener
	 * they go from the page cache to the socket with {@link FileChannel#transferTo} (no copy in
	 * the JVM); on a TLS listener they are read chunk by chunk and encrypted. The connection is
	 * not {@linkplain #isWritable() writable} until the region is sent.
	 * <p>
	 * The channel is read at absolute positions (its own position is left alone) and is not
	 * closed: the caller closes it when the stage completes.
	 * @param file the file to read from
	 * @param position where the region starts
	 * @param count how many bytes to send
	 * @return completed on the connection's I/O thread once the socket (on a TLS listener: the
	 * encryption) took the last byte, so dependent actions must not block; failed with a
	 * {@link java.nio.channels.ClosedChannelException} if the connection closes first, or with
	 * the {@link IOException} that reading failed with (the file shorter than the region, say),
	 * in which case the connection is closed, since the peer could not tell a cut body
	 */
	CompletionStage<Void> sendFile(FileChannel file, long position, long count);

	/**
	 * Sends a whole file (see {@link #sendFile(FileChannel, long, long)}), closing it once sent or
	 * failed.
	 * @param path the file
	 * @return completed once the file is sent, as for {@link #sendFile(FileChannel, long, long)}
	 * @throws UncheckedIOException if the file cannot be opened
	 */
	default CompletionStage<Void> sendFile(Path path) {
		FileChannel file;
		long size;
		try {
			file = FileChannel.open(path, StandardOpenOption.READ);
			size = file.size();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot send " + path, ex);
		}
		CompletionStage<Void> sent;
		try {
			sent = sendFile(file, 0, size);
		}
		catch (RuntimeException ex) {
			closeQuietly(file);
			throw ex;
		}
		return sent.whenComplete((done, failure) -> closeQuietly(file));
	}

	/**
	 * Sends everything {@code in} delivers until its end, behind everything written before this
	 * call and ahead of everything written after it, then closes it. The stream is read on
	 * {@code executor} (reading may block; never on an I/O thread), one chunk of up to 64 KiB
	 * ahead of the socket and only while queued output is below the high-water mark, so a stream
	 * of any length costs about the high-water mark plus a chunk in memory whatever the peer's
	 * speed. The connection is not {@linkplain #isWritable() writable} until the stream is sent.
	 * @param in the bytes to send; this connection closes it (on {@code executor})
	 * @param executor where {@code in} is read, a read at a time; one that refuses a read (shut
	 * down) fails the stage and closes the connection, so it must outlive a graceful stop
	 * @return completed with the number of bytes sent, on the connection's I/O thread (dependent
	 * actions must not block); failed as for {@link #sendFile(FileChannel, long, long)}
	 */
	CompletionStage<Long> sendStream(InputStream in, Executor executor);

	/** Closes the connection now; queued output is discarded. Idempotent. */
	void close();

	/**
	 * Closes the connection now because its handler failed off the I/O thread (an offloaded or
	 * stream handler): counted and reported as a handler that throws on the I/O thread is (the
	 * listener's errors, close reason {@link CloseReason#ERROR}). Any thread; idempotent.
	 */
	default void closeForHandlerError() {
		close();
	}

	/**
	 * Stops reading, writes everything already queued, then closes. Writes made after this call
	 * are dropped. Idempotent.
	 */
	void closeAfterFlush();

	/**
	 * Stops reading from this connection until {@link #resumeReading()}: the peer is then pushed
	 * back by TCP flow control. For handlers that hand work to other threads and must not queue it
	 * without bound. Independent of the write backpressure the server applies by itself.
	 */
	void pauseReading();

	/** Resumes reading after {@link #pauseReading()}. */
	void resumeReading();

	/** @return {@code true} until the connection is closed */
	boolean isOpen();

	/**
	 * The TLS session of a connection on a TLS listener: protocol, cipher suite and, with client
	 * authentication, the client's certificates ({@code getPeerPrincipal()}).
	 * @return the session once the handshake has completed (always, from {@code onOpen} on), or
	 * {@code null} on a plain listener
	 */
	default SSLSession sslSession() {
		return null;
	}

	/**
	 * @return {@code false} from the moment queued output passes the high-water mark until it has
	 * drained to the low-water mark (reading from this connection is paused meanwhile), and while
	 * queued output and writes from other threads still on their way to it are above the
	 * high-water mark together, and once the connection is closing; whoever finds it
	 * {@code false} on an open connection can rely on
	 * {@link ConnectionHandler#onWritabilityChanged(Connection)} to hear when it is {@code true}
	 * again (or on {@link ConnectionHandler#onClose(Connection)} if it closes first)
	 */
	boolean isWritable();

	/** @return bytes queued for this connection and not yet accepted by the socket (on a TLS listener: encrypted bytes) */
	long pendingOutboundBytes();

	/** @return buffers queued for this connection and not yet fully written */
	int pendingOutboundMessages();

	/** @return bytes read from the socket so far (on a TLS listener: wire bytes, records and handshake included) */
	long bytesReceived();

	/** @return bytes the socket accepted for the peer so far (on a TLS listener: wire bytes) */
	long bytesSent();

	/**
	 * @return plaintext bytes handed to the handler so far: {@link #bytesReceived()} without TLS;
	 * over TLS the decrypted application data only (no record headers, MACs or handshake)
	 */
	default long applicationBytesReceived() {
		return bytesReceived();
	}

	/**
	 * @return plaintext bytes the handler wrote that left the application side so far:
	 * {@link #bytesSent()} without TLS; over TLS the application data the engine has encrypted
	 * (whether or not the socket took the records yet)
	 */
	default long applicationBytesSent() {
		return bytesSent();
	}

	/** @return when the connection was accepted */
	Instant openedAt();

	/** @return when bytes were last read from or written to the peer */
	Instant lastActivity();

	/**
	 * Closes this connection when nothing has been read from it for {@code timeout} (a peer gone
	 * silent, or a slowloris). Replaces the server-wide {@code readIdleTimeout}; zero switches it off.
	 * Checked a few times a second, so it fires up to a quarter second late. Set on the
	 * connection's I/O thread, the new timeout counts from now at the earliest (a protocol
	 * entering a phase, such as waiting for the next request after a long response, gets the whole
	 * period).
	 * @param timeout the timeout, or {@link Duration#ZERO}
	 */
	void setReadIdleTimeout(Duration timeout);

	/**
	 * Closes this connection when output has been pending for {@code timeout} without the socket
	 * taking a byte (a peer that stopped reading). Replaces the server-wide
	 * {@code writeIdleTimeout}; zero switches it off.
	 * @param timeout the timeout, or {@link Duration#ZERO}
	 */
	void setWriteIdleTimeout(Duration timeout);

	/**
	 * Closes this connection (counted as a timeout) when output is pending and the peer takes it
	 * slower than {@code bytesPerSecond}, measured over each {@code window} during which output
	 * stayed pending: a client that reads a large reply a few bytes at a time would otherwise
	 * hold up to {@code maxQueuedOutput} for as long as it likes, since it never stops making
	 * progress (the write-idle timeout catches only none). Byte counts are wire bytes. Off by
	 * default.
	 * @param bytesPerSecond the slowest acceptable rate; zero switches the check off
	 * @param window how long each measurement lasts (at least 250 ms, the loop's sweep interval)
	 */
	void setMinWriteRate(long bytesPerSecond, Duration window);

	/**
	 * @return what this connection speaks now when that differs from its listener's protocol, such
	 * as {@code WebSocket /chat} after an HTTP upgrade; {@code null} otherwise
	 */
	default String protocol() {
		return null;
	}

	/** @return the object attached with {@link #attach(Object)}, or {@code null} */
	Object attachment();

	/**
	 * Attaches one object of the handler's choosing (per-connection protocol state) to this
	 * connection, replacing any earlier one.
	 * @param attachment the object, or {@code null} to detach
	 */
	void attach(Object attachment);

	/**
	 * Counts a protocol error (malformed input, a frame over its limit) against this connection's
	 * listener, for monitoring. Call it on the error path only; it does not close the connection.
	 */
	void reportProtocolError();

	/**
	 * Runs {@code task} where this connection's handler callbacks run, after the events being
	 * processed and never at the same time as one: on the connection's I/O loop thread, or, for a
	 * handler offloaded to an executor ({@code @SocketHandler(blocking = true)}), on that
	 * connection's turn of the executor.
	 * @param task what to run; it must not block unless the handler is offloaded
	 */
	void execute(Runnable task);

	private static void closeQuietly(FileChannel file) {
		try {
			file.close();
		}
		catch (IOException ignored) {
			// Read-only: closing cannot lose data, and the send already succeeded or failed.
		}
	}

}
