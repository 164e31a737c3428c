package io.github.tcpserver.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import io.github.tcpserver.core.proxy.ProxyHeader;

/**
 * What a {@link Transport} sees of its connection: the handler above it and the socket below it.
 * Implemented by {@link NioConnection}; tests drive a layer through a fake one, without sockets.
 * Loop thread only.
 */
interface TransportContext {

	/**
	 * Application bytes for the handler.
	 * @param data valid during this call only
	 */
	void deliver(ByteBuffer data);

	/**
	 * Wire bytes for the socket: written at once while nothing is queued, else queued behind the
	 * earlier ones (and counted against the output limits).
	 * @param wire the bytes; whatever the socket does not take is copied unless {@code owned}
	 * @param owned whether the connection may keep {@code wire} itself
	 */
	void send(ByteBuffer wire, boolean owned);

	/**
	 * Writes wire bytes now if nothing is queued, never queueing them: a farewell just before the
	 * socket closes.
	 * @param wire the bytes
	 */
	void sendLast(ByteBuffer wire);

	/** The layer is ready (handshake done): the handler is told that the connection is open. */
	void opened();

	/** The peer ended its input at this layer (TLS close_notify, or the socket's end of stream). */
	void inputEnded();

	/** The layer failed (it logged and counted why): close the connection now. */
	void layerFailed();

	/**
	 * Application bytes held by the layer (written during the handshake) passed the connection's
	 * output limit: close it as not keeping up.
	 * @param held the bytes held
	 */
	void heldOutputOverflowed(long held);

	/** @return the most output a connection may hold, {@code tcp.server.max-queued-output} */
	long maxQueuedOutput();

	/** @return whether the connection is still open (handlers may close it from a callback) */
	boolean isOpen();

	/**
	 * @return whether the handler still takes input: open and not closing (after
	 * {@code closeAfterFlush} a plain connection reads nothing more either)
	 */
	boolean isInputOpen();

	/** Stops reading the socket until {@link #resumeInput()}: the layer waits for work elsewhere. */
	void suspendInput();

	/** Reads the socket again after {@link #suspendInput()}. */
	void resumeInput();

	/**
	 * Runs {@code task} on the connection's loop thread, after the events being processed. Any thread.
	 * @param task what to run
	 */
	void execute(Runnable task);

	/** @return the loop's nanoTime of this iteration */
	long now();

	/** @return the loop's scratch buffers for layers */
	LayerBuffers buffers();

	/** @return the peer's address: the socket's, then the client's once a PROXY header named it */
	InetSocketAddress remoteAddress();

	/**
	 * A PROXY protocol header arrived: from now on the connection's remote address is the client
	 * it names (unless it names none: LOCAL, UNKNOWN, UNSPEC) and the socket's peer is the proxy.
	 * @param header the decoded header
	 */
	void proxied(ProxyHeader header);

}
