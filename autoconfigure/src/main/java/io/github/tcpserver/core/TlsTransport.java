package io.github.tcpserver.core;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS between a connection's socket and its handler: drives one server-side {@link SSLEngine}
 * over the non-blocking loop. The handler is told the connection is open once the handshake has
 * completed, reads plaintext and writes plaintext; the connection's outbound queue, watermarks
 * and byte counters see wire (encrypted) bytes.
 *
 * <h2>How the engine is driven</h2>
 * <ul>
 * <li>Only whole records are unwrapped: the 5-byte header gives the length (RFC 8446 §5.1), a
 * record split across reads waits in a per-connection buffer of one record, and several records
 * of one read are unwrapped in turn straight from the loop's read buffer. So unwrap never
 * under-flows; if it does anyway, the connection fails instead of looping (netty #1134).</li>
 * <li>The first record must be a TLS handshake record, else the connection is closed at once (a
 * plaintext or garbage client). Its ClientHello names the server (SNI) the engine is made for.</li>
 * <li>Decrypted bytes gather in the loop's plaintext buffer and reach the handler once per read,
 * or whenever the next record might not fit; the buffers are sized from the session and grown on
 * {@code BUFFER_OVERFLOW} (sizes can grow during a handshake).</li>
 * <li>The engine is driven until it makes no progress: {@code NEED_WRAP} is served while
 * unwrapping and vice versa, application data arriving with the client's last handshake flight
 * is unwrapped right after the handshake's end, and post-handshake messages (TLS 1.3 session
 * tickets, KeyUpdate) are answered as they come.</li>
 * <li>Delegated tasks (the CPU work of the handshake: key exchange, signature, certificate
 * checks; a millisecond or two each) run inline on the loop by default, as in Netty and Jetty:
 * they cost the same core time on any thread, and an executor adds two thread hops per
 * handshake. With a {@linkplain TlsSettings#handshakeExecutor() handshake executor} they run
 * there instead while the connection is parked (not read; bytes already read kept), so that a
 * burst of handshakes cannot hold up the other connections of the loop; the loop resumes the
 * connection when they are done. Revocation checks that go to the network belong there.</li>
 * <li>Renegotiation started by a TLS 1.2 client is refused by closing the connection: it costs
 * the server a handshake per request of the client (CVE-2011-1473), and TLS 1.3 removed it.</li>
 * <li>Every graceful close sends close_notify behind the queued output; a close now sends it if
 * nothing is queued. The peer's end of input without close_notify reads as an end of input, as on
 * a plain socket, without the engine's "closing inbound before receiving peer's close_notify".</li>
 * </ul>
 * Plaintext written before the handshake has completed (from another thread, say) is held and
 * counted against {@code maxQueuedOutput} until it can be encrypted.
 */
final class TlsTransport implements Transport {

	private static final System.Logger log = System.getLogger(TlsTransport.class.getName());

	/** Record header: content type, legacy version, length (RFC 8446 §5.1). */
	static final int HEADER = 5;

	/**
	 * The largest record a peer may send: 2^14 bytes of plaintext and 2048 of expansion (RFC 5246
	 * §6.2.3; TLS 1.3 allows 256, RFC 8446 §5.2). Longer means garbage (jetty #6072 got this wrong).
	 */
	static final int MAX_RECORD = HEADER + 16384 + 2048;

	private static final int HANDSHAKE_RECORD = 22;

	/** Records wrapped into the network buffer before it is written: one write of up to ~64 KiB. */
	private static final int RECORDS_PER_WRITE = 4;

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	private final TransportContext connection;

	private final TlsSettings settings;

	private final TlsStats stats;

	/** Made once the first record (the ClientHello's start) is here. */
	private SSLEngine engine;

	/** The start of a record split across reads; allocated on the first split, one record long. */
	private ByteBuffer partial;

	/** Plaintext written before the handshake ended, or while a write is being encrypted. */
	private ArrayDeque<ByteBuffer> held;

	private long heldBytes;

	private boolean handshaking = true;

	/** A wrap is in progress: a write from a callback within it waits its turn, keeping order. */
	private boolean wrapping;

	private boolean inboundDone;

	private boolean outboundDone;

	private boolean failed;

	private long startNanos;

	private long deadlineNanos;

	private long handshakeBytes;

	/** Decrypted application bytes handed to the handler. Loop thread; read elsewhere as the wire counters are. */
	private long plaintextReceived;

	/** Application bytes the engine encrypted. Loop thread; read elsewhere as the wire counters are. */
	private long plaintextSent;

	/** Delegated tasks are running on the handshake executor; reading is suspended. */
	private boolean parked;

	/** Bytes read but not yet unwrapped when the connection was parked. */
	private ByteBuffer parkedInput;

	TlsTransport(TransportContext connection, TlsSettings settings, TlsStats stats) {
		this.connection = connection;
		this.settings = settings;
		this.stats = stats;
	}

	@Override
	public void start() {
		this.startNanos = this.connection.now();
		long timeout = this.settings.handshakeTimeout().toNanos();
		this.deadlineNanos = (timeout > 0) ? this.startNanos + timeout : 0;
	}

	@Override
	public SSLSession session() {
		return (this.engine != null && !this.handshaking) ? this.engine.getSession() : null;
	}

	@Override
	public long plaintextBytesReceived() {
		return this.plaintextReceived;
	}

	@Override
	public long plaintextBytesSent() {
		return this.plaintextSent;
	}

	/** @return whether the handshake has completed */
	boolean isHandshakeComplete() {
		return !this.handshaking;
	}

	// ---------------------------------------------------------------- inbound

	@Override
	public void onInbound(ByteBuffer wire) {
		if (this.handshaking) {
			this.handshakeBytes += wire.remaining();
		}
		if (this.inboundDone || this.failed) {
			wire.position(wire.limit()); // after close_notify nothing more is application data
			return;
		}
		if (this.parked) {
			keepWhileParked(wire);
			return;
		}
		if (this.partial != null && this.partial.position() > 0) {
			if (!completeRecord(wire)) {
				if (this.failed) {
					wire.position(wire.limit());
				}
				return;
			}
			this.partial.flip();
			boolean goOn = unwrapAll(this.partial);
			this.partial.clear();
			if (!goOn) {
				wire.position(wire.limit());
				return;
			}
			if (this.parked) {
				keepWhileParked(wire);
				return;
			}
		}
		if (wire.hasRemaining()) {
			process(wire);
		}
	}

	/** Unwraps what {@code wire} holds and keeps the start of a record that does not end in it. */
	private void process(ByteBuffer wire) {
		if (!unwrapAll(wire)) {
			wire.position(wire.limit());
			return;
		}
		if (this.parked) {
			return; // unwrapAll kept the rest
		}
		if (wire.hasRemaining()) {
			// The start of a record (its header checked if whole): keep it for the next read.
			int length = (wire.remaining() >= HEADER) ? HEADER + recordLengthField(wire, wire.position()) : HEADER;
			reservePartial(Math.max(length, wire.remaining()));
			this.partial.put(wire);
		}
	}

	/**
	 * Makes {@link #partial} hold at least {@code size} bytes, keeping its content. Sized by the
	 * record it holds, not the largest possible one, so that many clients trickling small records
	 * cost little memory; kept once made, since a bulk transfer splits a record at most reads.
	 */
	private void reservePartial(int size) {
		if (this.partial == null) {
			this.partial = ByteBuffer.allocate(Math.max(size, 512));
		}
		else if (this.partial.capacity() < size) {
			ByteBuffer larger = ByteBuffer.allocate(Math.min(MAX_RECORD, Math.max(size, 2 * this.partial.capacity())));
			this.partial.flip();
			larger.put(this.partial);
			this.partial = larger;
		}
	}

	private static int recordLengthField(ByteBuffer buffer, int offset) {
		return ((buffer.get(offset + 3) & 0xff) << 8) | (buffer.get(offset + 4) & 0xff);
	}

	/**
	 * Moves bytes from {@code wire} into {@link #partial} until it holds a whole record.
	 * @return whether it does
	 */
	private boolean completeRecord(ByteBuffer wire) {
		ByteBuffer record = this.partial;
		if (record.position() < HEADER) {
			take(wire, record, HEADER - record.position());
			if (record.position() < HEADER) {
				return false;
			}
		}
		int length = recordLength(record, 0);
		if (length < 0) {
			return false;
		}
		reservePartial(HEADER + length);
		record = this.partial;
		take(wire, record, HEADER + length - record.position());
		return record.position() == HEADER + length;
	}

	private static void take(ByteBuffer from, ByteBuffer to, int max) {
		int length = Math.min(max, from.remaining());
		to.put(to.position(), from, from.position(), length);
		to.position(to.position() + length);
		from.position(from.position() + length);
	}

	/**
	 * Checks the record header at {@code offset}.
	 * @return the record's length, or -1 after failing the connection for a header that is not TLS
	 */
	private int recordLength(ByteBuffer buffer, int offset) {
		int type = buffer.get(offset) & 0xff;
		int major = buffer.get(offset + 1) & 0xff;
		int length = recordLengthField(buffer, offset);
		if (this.engine == null && type != HANDSHAKE_RECORD) {
			fail("not a TLS handshake: the client's first bytes are " + printable(buffer, offset), null);
			return -1;
		}
		// Content types 20 to 24 (RFC 8446 §5.1, RFC 6520), record versions 3.x.
		if (type < 20 || type > 24 || major != 3 || length > MAX_RECORD - HEADER) {
			fail("not a TLS record (type " + type + ", version " + major + ".x, length " + length + ")", null);
			return -1;
		}
		return length;
	}

	/**
	 * Unwraps every whole record of {@code source}, serving the engine's other needs on the way,
	 * and hands the plaintext to the handler.
	 * @return whether to go on (the connection is open and its input has not ended)
	 */
	private boolean unwrapAll(ByteBuffer source) {
		if (this.engine == null && !createEngine(source)) {
			return !this.failed;
		}
		LayerBuffers buffers = this.connection.buffers();
		ByteBuffer plain = buffers.application(this.engine.getSession().getApplicationBufferSize());
		plain.clear();
		try {
			while (true) {
				if (!this.connection.isInputOpen() || this.failed) {
					return false;
				}
				HandshakeStatus status = this.engine.getHandshakeStatus();
				if (status == HandshakeStatus.NEED_TASK) {
					if (this.handshaking && this.settings.handshakeExecutor() != null) {
						park(source);
						return true;
					}
					runDelegatedTasks();
					continue;
				}
				if (status == HandshakeStatus.NEED_WRAP) {
					if (this.outboundDone) {
						// Nothing can be sent any more: stop rather than ask again (tls-channel #102 spun here).
						source.position(source.limit());
						return false;
					}
					if (!wrap(EMPTY)) {
						fail("the engine asks to send but produces nothing", null);
						return false;
					}
					continue;
				}
				if (source.remaining() < HEADER) {
					break;
				}
				int length = recordLength(source, source.position());
				if (length < 0) {
					return false;
				}
				if (source.remaining() < HEADER + length) {
					break;
				}
				int room = this.engine.getSession().getApplicationBufferSize();
				if (plain.remaining() < room) {
					if (plain.position() > 0) {
						if (!deliver(plain)) {
							return false;
						}
					}
					else {
						plain = buffers.application(room);
						plain.clear();
					}
				}
				SSLEngineResult result = this.engine.unwrap(source, plain);
				switch (result.getStatus()) {
					case OK -> {
					}
					case BUFFER_OVERFLOW -> {
						// The session's sizes grew: the check above regrows the buffer next round.
						if (plain.position() > 0 && !deliver(plain)) {
							return false;
						}
						plain = buffers.application(this.engine.getSession().getApplicationBufferSize() + plain.capacity());
						plain.clear();
						continue;
					}
					case BUFFER_UNDERFLOW -> {
						fail("the engine wants more than the whole record it was given", null);
						return false;
					}
					case CLOSED -> {
						// close_notify. In TLS 1.3 it closes the peer's direction only (RFC 8446 §6.1);
						// the handler hears of an end of input and usually closes in turn.
						if (plain.position() > 0 && !deliver(plain)) {
							return false;
						}
						source.position(source.limit());
						this.inboundDone = true;
						if (this.handshaking) {
							fail("the client closed the connection during the handshake", null);
						}
						else {
							this.connection.inputEnded();
						}
						return false;
					}
				}
				if (!progressed(result)) {
					return false;
				}
			}
			return plain.position() == 0 || deliver(plain);
		}
		catch (SSLException | RuntimeException ex) {
			fail(ex.getMessage(), ex);
			return false;
		}
	}

	/** Hands the plaintext gathered in {@code plain} to the handler and empties it. */
	private boolean deliver(ByteBuffer plain) {
		plain.flip();
		this.plaintextReceived += plain.remaining();
		this.connection.deliver(plain);
		plain.clear();
		return this.connection.isInputOpen();
	}

	/** Makes the engine for the first record, a whole one, chosen by its SNI name. */
	private boolean createEngine(ByteBuffer source) {
		if (source.remaining() < HEADER) {
			if (source.hasRemaining() && (source.get(source.position()) & 0xff) != HANDSHAKE_RECORD) {
				fail("not a TLS handshake: the client's first bytes are " + printable(source, source.position()), null);
			}
			return false;
		}
		int length = recordLength(source, source.position());
		if (length < 0 || source.remaining() < HEADER + length) {
			return false;
		}
		String serverName = TlsClientHello.serverName(source.duplicate().limit(source.position() + HEADER + length));
		try {
			this.engine = this.settings.engines().createEngine(serverName, this.connection.remoteAddress());
			this.engine.beginHandshake();
			return true;
		}
		catch (SSLException | RuntimeException ex) {
			fail("no engine for server name " + serverName + ": " + ex, ex);
			return false;
		}
	}

	private void runDelegatedTasks() {
		Runnable task;
		while ((task = this.engine.getDelegatedTask()) != null) {
			task.run();
		}
	}

	/**
	 * Hands the engine's delegated tasks to the handshake executor, keeping what is left of
	 * {@code source} and suspending reads until they are done.
	 */
	private void park(ByteBuffer source) {
		this.parked = true;
		this.connection.suspendInput();
		this.parkedInput = null;
		keepWhileParked(source);
		source.position(source.limit());
		try {
			this.settings.handshakeExecutor().execute(() -> {
				try {
					runDelegatedTasks();
				}
				finally {
					this.connection.execute(this::unpark);
				}
			});
		}
		catch (RuntimeException rejected) {
			// A saturated or stopped executor: do the work here rather than leave the client waiting.
			log.log(Level.TRACE, () -> "Handshake executor rejected the tasks of " + this.connection.remoteAddress());
			runDelegatedTasks();
			unpark();
		}
	}

	private void keepWhileParked(ByteBuffer wire) {
		if (!wire.hasRemaining()) {
			return;
		}
		ByteBuffer kept = this.parkedInput;
		int size = wire.remaining() + ((kept != null) ? kept.remaining() : 0);
		ByteBuffer joined = ByteBuffer.allocate(size);
		if (kept != null) {
			joined.put(kept);
		}
		joined.put(wire).flip();
		this.parkedInput = joined;
	}

	/** The delegated tasks are done: go on with the bytes kept meanwhile, then read again. Loop thread. */
	private void unpark() {
		if (!this.parked) {
			return;
		}
		this.parked = false;
		ByteBuffer kept = this.parkedInput;
		this.parkedInput = null;
		if (!this.connection.isOpen() || this.failed) {
			return; // timed out or closed meanwhile
		}
		this.connection.resumeInput();
		// Even with nothing kept, the engine now wants to send its flight (NEED_WRAP).
		process((kept != null) ? kept : EMPTY);
	}

	/**
	 * Acts on the handshake status an operation ended with.
	 * @return whether to go on
	 */
	private boolean progressed(SSLEngineResult result) {
		HandshakeStatus status = result.getHandshakeStatus();
		if (this.handshaking) {
			if (status == HandshakeStatus.FINISHED || (status == HandshakeStatus.NOT_HANDSHAKING
					&& this.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING)) {
				handshakeFinished();
			}
			return this.connection.isOpen();
		}
		if (status != HandshakeStatus.NOT_HANDSHAKING && status != HandshakeStatus.FINISHED
				&& result.bytesConsumed() > 0 && isRenegotiable()) {
			fail("the client started a renegotiation, which this server refuses", null);
			return false;
		}
		return true;
	}

	/** TLS 1.2 and older renegotiate; in TLS 1.3 a handshake message after the handshake is a KeyUpdate. */
	private boolean isRenegotiable() {
		String protocol = this.engine.getSession().getProtocol();
		return !protocol.startsWith("TLSv1.3") && !protocol.startsWith("DTLS");
	}

	private void handshakeFinished() {
		this.handshaking = false;
		this.stats.completed.increment();
		this.stats.completedNanos.add(this.connection.now() - this.startNanos);
		// What was written during the handshake (from other threads) goes first, then the handler
		// hears onOpen and writes behind it: the peer gets the bytes in the order they were written.
		if (this.held != null && !this.wrapping) {
			wrap(EMPTY);
		}
		if (this.connection.isOpen()) {
			this.connection.opened();
		}
	}

	// ---------------------------------------------------------------- outbound

	@Override
	public void write(ByteBuffer data, boolean owned) {
		if (this.outboundDone || this.failed || !data.hasRemaining()) {
			return;
		}
		if (this.handshaking || this.wrapping) {
			hold(data, owned);
			return;
		}
		wrap(data);
	}

	private void hold(ByteBuffer data, boolean owned) {
		ByteBuffer copy = data;
		if (!owned) {
			copy = ByteBuffer.allocate(data.remaining());
			copy.put(data).flip();
		}
		if (this.held == null) {
			this.held = new ArrayDeque<>();
		}
		this.held.add(copy);
		this.heldBytes += copy.remaining();
		if (this.heldBytes > this.connection.maxQueuedOutput()) {
			this.connection.heldOutputOverflowed(this.heldBytes);
		}
	}

	/**
	 * Encrypts {@code source} (or serves the handshake with an empty one), then whatever was held,
	 * into the loop's network buffer, a few records per socket write.
	 */
	private boolean wrap(ByteBuffer source) {
		boolean outermost = !this.wrapping;
		this.wrapping = true;
		try {
			boolean moved = wrapOne(source);
			while (outermost && !this.handshaking && this.held != null && !this.failed && !this.outboundDone
					&& this.connection.isOpen()) {
				ByteBuffer next = this.held.poll();
				if (next == null) {
					this.held = null;
					break;
				}
				this.heldBytes -= next.remaining();
				wrapOne(next);
			}
			return moved;
		}
		finally {
			if (outermost) {
				this.wrapping = false;
			}
		}
	}

	/** @return whether the engine made progress (produced, consumed, or ran its tasks) */
	private boolean wrapOne(ByteBuffer source) {
		boolean progress = false;
		LayerBuffers buffers = this.connection.buffers();
		int packet = this.engine.getSession().getPacketBufferSize();
		ByteBuffer network = buffers.network(packet * RECORDS_PER_WRITE);
		network.clear();
		try {
			while (true) {
				if (network.remaining() < packet) {
					if (network.position() > 0) {
						if (!sendAndClear(network)) {
							return true;
						}
					}
					else {
						network = buffers.network(packet + network.capacity());
						network.clear();
					}
				}
				SSLEngineResult result = this.engine.wrap(source, network);
				switch (result.getStatus()) {
					case OK -> {
					}
					case BUFFER_OVERFLOW -> {
						packet = this.engine.getSession().getPacketBufferSize();
						if (network.position() > 0) {
							if (!sendAndClear(network)) {
								return true;
							}
						}
						else {
							network = buffers.network(packet + network.capacity());
							network.clear();
						}
						continue;
					}
					case BUFFER_UNDERFLOW -> throw new SSLException("wrap under-flowed");
					case CLOSED -> this.outboundDone = true;
				}
				HandshakeStatus status = result.getHandshakeStatus();
				if (result.bytesConsumed() > 0) {
					this.plaintextSent += result.bytesConsumed();
				}
				boolean moved = result.bytesConsumed() > 0 || result.bytesProduced() > 0;
				if (status == HandshakeStatus.NEED_TASK) {
					runDelegatedTasks();
					status = this.engine.getHandshakeStatus();
					moved = true;
				}
				progress |= moved;
				if (!progressed(result) || this.outboundDone) {
					break;
				}
				if (status == HandshakeStatus.NEED_WRAP && moved) {
					continue; // more handshake (or a KeyUpdate reply) to send
				}
				if (!source.hasRemaining() || !moved || this.handshaking) {
					break; // done, or waiting for the peer
				}
			}
			if (network.position() > 0 && this.connection.isOpen()) {
				sendAndClear(network);
			}
			return progress;
		}
		catch (SSLException | RuntimeException ex) {
			fail(ex.getMessage(), ex);
			return false;
		}
	}

	/** @return whether the connection is still open (sending can overflow and close it) */
	private boolean sendAndClear(ByteBuffer network) {
		network.flip();
		this.connection.send(network, false);
		network.clear();
		return this.connection.isOpen();
	}

	// ---------------------------------------------------------------- closing

	@Override
	public void onEndOfInput() {
		if (this.inboundDone || this.failed) {
			return;
		}
		this.inboundDone = true;
		if (this.handshaking && this.handshakeBytes == 0) {
			// Connected and left without a byte: a port probe or a load balancer's TCP check, not a failure.
			this.failed = true;
			this.connection.layerFailed();
			return;
		}
		if (this.handshaking) {
			fail((this.engine == null) ? "the client closed the connection before its ClientHello"
					: "the client closed the connection during the handshake", null);
			return;
		}
		// No close_notify: the peer's TCP FIN alone (RFC 8446 §6.1 asks for one, many clients skip it).
		// Not passed to engine.closeInbound(), which would only throw about it (netty #8463).
		log.log(Level.TRACE, () -> "TLS peer " + this.connection.remoteAddress() + " ended its input without close_notify");
		this.connection.inputEnded();
	}

	@Override
	public void closeOutbound() {
		if (this.engine == null || this.outboundDone || this.failed) {
			return;
		}
		this.engine.closeOutbound();
		wrap(EMPTY); // close_notify, behind everything queued
	}

	@Override
	public void onClose(boolean outputIdle) {
		if (this.engine != null && !this.outboundDone && !this.failed && outputIdle) {
			// A close now still says goodbye, if that cannot cut a queued record in half.
			this.outboundDone = true;
			this.engine.closeOutbound();
			ByteBuffer network = this.connection.buffers().network(this.engine.getSession().getPacketBufferSize());
			network.clear();
			try {
				this.engine.wrap(EMPTY, network);
				network.flip();
				this.connection.sendLast(network);
			}
			catch (SSLException | RuntimeException ex) {
				log.log(Level.TRACE, () -> "No close_notify for " + this.connection.remoteAddress() + ": " + ex);
			}
		}
		if (this.handshaking && !this.failed && this.engine != null) {
			this.stats.failed.increment(); // closed by the server (shutdown) or the peer mid-handshake
			this.failed = true;
		}
		this.partial = null;
		this.held = null;
		this.parkedInput = null;
	}

	@Override
	public void checkTimeouts(long now) {
		if (this.handshaking && !this.failed && this.deadlineNanos != 0 && now - this.deadlineNanos >= 0) {
			this.stats.timedOut.increment();
			fail("handshake not completed within " + this.settings.handshakeTimeout().toMillis() + " ms ("
					+ waitingFor() + ")", null);
		}
	}

	private String waitingFor() {
		if (this.engine == null) {
			return (this.handshakeBytes == 0) ? "the client sent nothing"
					: "the client sent " + this.handshakeBytes + " bytes but no whole ClientHello record";
		}
		return "handshake status " + this.engine.getHandshakeStatus() + " after " + this.handshakeBytes
				+ " bytes from the client";
	}

	/**
	 * Logs, counts and closes. The engine's alert, if it made one, is sent first, so that the
	 * client learns why (a certificate it did not like, say).
	 */
	private void fail(String reason, Throwable cause) {
		if (this.failed) {
			return;
		}
		this.failed = true;
		if (this.handshaking) {
			this.stats.failed.increment();
			log.log(Level.DEBUG, () -> "TLS handshake with " + this.connection.remoteAddress() + " failed"
					+ ((this.engine != null) ? " (" + this.settings.description() + ")" : "") + ": " + reason);
		}
		else {
			log.log(Level.DEBUG, () -> "TLS connection with " + this.connection.remoteAddress() + " failed: " + reason);
		}
		if (cause != null && this.engine != null && !this.outboundDone) {
			sendAlert();
		}
		this.connection.layerFailed();
	}

	private void sendAlert() {
		this.outboundDone = true;
		try {
			this.engine.closeOutbound();
			ByteBuffer network = this.connection.buffers().network(this.engine.getSession().getPacketBufferSize());
			network.clear();
			this.engine.wrap(EMPTY, network);
			network.flip();
			if (network.hasRemaining()) {
				this.connection.sendLast(network);
			}
		}
		catch (SSLException | RuntimeException ex) {
			// The engine is broken already; the close says enough.
		}
	}

	/** The first bytes of a non-TLS client, for the log: printable ASCII, else hex. */
	private static String printable(ByteBuffer buffer, int offset) {
		int length = Math.min(16, buffer.limit() - offset);
		StringBuilder text = new StringBuilder("'");
		boolean ascii = true;
		for (int i = 0; i < length; i++) {
			int b = buffer.get(offset + i) & 0xff;
			ascii &= (b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n';
		}
		if (!ascii) {
			StringBuilder hex = new StringBuilder("0x");
			for (int i = 0; i < length; i++) {
				hex.append(String.format("%02x", buffer.get(offset + i) & 0xff));
			}
			return hex.toString();
		}
		for (int i = 0; i < length; i++) {
			char c = (char) (buffer.get(offset + i) & 0xff);
			text.append((c == '\r') ? "\\r" : (c == '\n') ? "\\n" : String.valueOf(c));
		}
		return text.append('\'').toString();
	}

}
