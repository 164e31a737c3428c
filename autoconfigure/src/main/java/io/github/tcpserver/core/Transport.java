package io.github.tcpserver.core;

import java.nio.ByteBuffer;

import javax.net.ssl.SSLSession;

/**
 * The byte layer between a connection's socket and its handler: what the socket reads enters
 * through {@link #onInbound}, what the handler writes leaves through {@link #write}, each
 * reaching the other side through the connection's {@link TransportContext}. {@link PlainTransport}
 * passes both through untouched; {@link TlsTransport} runs TLS. A layer that precedes another on
 * the wire (a PROXY protocol header before the ClientHello) consumes its part in
 * {@code onInbound} and hands the rest to the next layer's {@code onInbound}.
 * <p>
 * Every method is called on the connection's I/O loop thread.
 */
interface Transport {

	/**
	 * The connection is registered with its loop. A layer without a handshake calls
	 * {@link TransportContext#opened()} at once; one with a handshake does when it completes.
	 */
	void start();

	/**
	 * Bytes read from the socket.
	 * @param wire the loop's read buffer, valid during this call only; a layer keeps what it
	 * cannot use yet (a partial record) in buffers of its own
	 */
	void onInbound(ByteBuffer wire);

	/**
	 * Application bytes to send.
	 * @param data the bytes; consumed (or copied) before this returns unless {@code owned}
	 * @param owned whether the layer may keep {@code data} itself
	 */
	void write(ByteBuffer data, boolean owned);

	/** The socket's input ended (the peer's FIN). */
	void onEndOfInput();

	/**
	 * A graceful close begins ({@code closeAfterFlush}, end of input, graceful shutdown): add the
	 * layer's farewell (TLS close_notify) behind the output already queued.
	 */
	void closeOutbound();

	/**
	 * The connection is closing now, its socket still open.
	 * @param outputIdle whether nothing is queued, so that a farewell written now would not cut a
	 * record in half
	 */
	void onClose(boolean outputIdle);

	/**
	 * Called by the loop's periodic sweep: closes the connection if the layer's own deadline (the
	 * TLS handshake timeout) has passed.
	 * @param now the loop's nanoTime
	 */
	void checkTimeouts(long now);

	/** @return the TLS session once the handshake completed, else {@code null} */
	SSLSession session();

	/**
	 * @return whether the bytes on the wire are the handler's bytes unchanged (after any header
	 * this layer consumed), so a file may go from the page cache straight to the socket
	 */
	default boolean passesBytesThrough() {
		return false;
	}

	/**
	 * @return plaintext bytes this layer handed up to the handler, or {@code -1} when it passes
	 * the socket's bytes through unchanged (then the connection's wire count is the answer)
	 */
	default long plaintextBytesReceived() {
		return -1;
	}

	/**
	 * @return plaintext bytes this layer took from the handler and encoded, or {@code -1} when it
	 * passes them through unchanged
	 */
	default long plaintextBytesSent() {
		return -1;
	}

}
