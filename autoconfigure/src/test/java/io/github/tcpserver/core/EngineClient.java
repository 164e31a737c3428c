package io.github.tcpserver.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

import io.github.tcpserver.test.TestCertificates;

/**
 * A TLS client that shows what travels on the wire: a client {@link SSLEngine} whose bytes the
 * test moves itself, in memory or over a plain socket, so that it can tell a close_notify from a
 * bare end of stream and split or batch records at will.
 */
final class EngineClient {

	final SSLEngine engine;

	/** Plaintext received. */
	final ByteArrayOutputStream received = new ByteArrayOutputStream();

	/** Handshake bytes the client produced while receiving, not yet sent. */
	final ByteArrayOutputStream pending = new ByteArrayOutputStream();

	private final ByteBuffer inbound = ByteBuffer.allocate(4 * 1024 * 1024);

	EngineClient(TestCertificates pki, String protocol) {
		this(pki, protocol, "localhost");
	}

	EngineClient(TestCertificates pki, String protocol, String serverName) {
		this(engine(pki, protocol, serverName));
	}

	EngineClient(SSLEngine engine) {
		this.engine = engine;
	}

	private static SSLEngine engine(TestCertificates pki, String protocol, String serverName) {
		SSLEngine engine = pki.trustingContext().createSSLEngine(serverName, 443);
		engine.setUseClientMode(true);
		engine.setEnabledProtocols(new String[] { protocol });
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setServerNames(List.of(new SNIHostName(serverName)));
		engine.setSSLParameters(parameters);
		return engine;
	}

	/** @return the wire bytes of {@code data}, after any handshake bytes due */
	byte[] wrap(byte[] data) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(takePending());
		ByteBuffer source = ByteBuffer.wrap(data);
		ByteBuffer network = ByteBuffer.allocate(this.engine.getSession().getPacketBufferSize());
		for (int i = 0; i < 100_000; i++) {
			network.clear();
			SSLEngineResult result = this.engine.wrap(source, network);
			runTasks();
			out.write(network.array(), 0, network.position());
			boolean moreHandshake = this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
			if ((!source.hasRemaining() && !moreHandshake) || result.getStatus() == SSLEngineResult.Status.CLOSED) {
				break;
			}
		}
		return out.toByteArray();
	}

	byte[] takePending() {
		byte[] bytes = this.pending.toByteArray();
		this.pending.reset();
		return bytes;
	}

	/** Unwraps what the server sent; handshake replies wait in {@link #pending}. */
	void receive(byte[] wire) throws IOException {
		receive(wire, 0, wire.length);
	}

	void receive(byte[] wire, int offset, int length) throws IOException {
		this.inbound.put(wire, offset, length).flip();
		ByteBuffer plain = ByteBuffer.allocate(64 * 1024);
		try {
			for (int i = 0; i < 100_000; i++) {
				HandshakeStatus status = this.engine.getHandshakeStatus();
				if (status == HandshakeStatus.NEED_TASK) {
					runTasks();
					continue;
				}
				if (status == HandshakeStatus.NEED_WRAP) {
					ByteBuffer network = ByteBuffer.allocate(this.engine.getSession().getPacketBufferSize());
					SSLEngineResult result = this.engine.wrap(ByteBuffer.allocate(0), network);
					this.pending.write(network.array(), 0, network.position());
					if (result.getStatus() == SSLEngineResult.Status.CLOSED && network.position() == 0) {
						break;
					}
					continue;
				}
				plain.clear();
				SSLEngineResult result = this.engine.unwrap(this.inbound, plain);
				this.received.write(plain.array(), 0, plain.position());
				if (result.getStatus() != SSLEngineResult.Status.OK
						|| (result.bytesConsumed() == 0 && result.bytesProduced() == 0)) {
					break;
				}
			}
		}
		finally {
			this.inbound.compact();
		}
	}

	/** Runs the handshake over a connected plain socket. */
	void handshake(Socket socket) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		InputStream in = socket.getInputStream();
		for (int i = 0; i < 100; i++) {
			byte[] out = wrap(new byte[0]);
			if (out.length > 0) {
				socket.getOutputStream().write(out);
			}
			if (this.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
				return;
			}
			int n = in.read(buffer);
			if (n < 0) {
				throw new IOException("The server closed the connection during the handshake");
			}
			receive(buffer, 0, n);
		}
		throw new IOException("The handshake did not complete");
	}

	/**
	 * Reads from the socket until its end of stream.
	 * @return whether a close_notify came before the end of stream
	 */
	boolean readToEnd(Socket socket) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		InputStream in = socket.getInputStream();
		for (int n; (n = in.read(buffer)) >= 0;) {
			receive(buffer, 0, n);
		}
		return this.engine.isInboundDone();
	}

	private void runTasks() {
		Runnable task;
		while ((task = this.engine.getDelegatedTask()) != null) {
			task.run();
		}
	}

}
