package io.github.tcpserver.sample;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

/**
 * A TLS client over a plain socket that can tell a close_notify from a bare end of stream (the
 * JDK's {@code SSLSocket} reads both as -1): an {@link SSLEngine} whose records the test moves.
 */
final class TlsWireClient {

	private final SSLEngine engine;

	private final ByteArrayOutputStream received = new ByteArrayOutputStream();

	private final ByteBuffer inbound = ByteBuffer.allocate(1024 * 1024);

	TlsWireClient(SSLContext context, String host) {
		this.engine = context.createSSLEngine(host, 443);
		this.engine.setUseClientMode(true);
		SSLParameters parameters = this.engine.getSSLParameters();
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		this.engine.setSSLParameters(parameters);
	}

	/** @return the plaintext received so far */
	byte[] received() {
		return this.received.toByteArray();
	}

	void handshake(Socket socket) throws IOException {
		this.engine.beginHandshake();
		byte[] buffer = new byte[64 * 1024];
		for (int i = 0; i < 100 && this.engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING; i++) {
			if (this.engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP && !receive(buffer, 0)) {
				// Nothing buffered moved the handshake on (the client may have stopped to send its
				// compatibility ChangeCipherSpec with the server's records still buffered): read.
				int n = socket.getInputStream().read(buffer);
				if (n < 0) {
					throw new IOException("closed during the handshake");
				}
				receive(buffer, n);
			}
			else {
				send(socket, new byte[0]);
			}
		}
	}

	/** Encrypts {@code data} (or serves the handshake) and writes it to the socket. */
	void send(Socket socket, byte[] data) throws IOException {
		ByteBuffer source = ByteBuffer.wrap(data);
		ByteBuffer network = ByteBuffer.allocate(this.engine.getSession().getPacketBufferSize());
		do {
			network.clear();
			this.engine.wrap(source, network);
			runTasks();
			socket.getOutputStream().write(network.array(), 0, network.position());
		}
		while (source.hasRemaining() || this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP);
	}

	/**
	 * Reads until the server closes the connection.
	 * @return whether its close_notify came before the end of stream
	 */
	boolean readToEnd(Socket socket) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		InputStream in = socket.getInputStream();
		for (int n; (n = in.read(buffer)) >= 0;) {
			receive(buffer, n);
		}
		return this.engine.isInboundDone();
	}

	/**
	 * Adds {@code length} bytes to what is buffered and unwraps as much as the engine takes.
	 * @return whether the engine consumed anything
	 */
	private boolean receive(byte[] bytes, int length) throws IOException {
		this.inbound.put(bytes, 0, length).flip();
		ByteBuffer plain = ByteBuffer.allocate(this.engine.getSession().getApplicationBufferSize());
		boolean consumed = false;
		try {
			while (this.inbound.hasRemaining() && this.engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
				plain.clear();
				SSLEngineResult result = this.engine.unwrap(this.inbound, plain);
				runTasks();
				this.received.write(plain.array(), 0, plain.position());
				consumed |= result.bytesConsumed() > 0;
				if (result.getStatus() != SSLEngineResult.Status.OK
						|| (result.bytesConsumed() == 0 && result.bytesProduced() == 0)) {
					break;
				}
			}
		}
		finally {
			this.inbound.compact();
		}
		return consumed;
	}

	private void runTasks() {
		Runnable task;
		while ((task = this.engine.getDelegatedTask()) != null) {
			task.run();
		}
	}

}
