package io.github.tcpserver.core;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSession;

import io.github.tcpserver.core.proxy.ProxyHeader;

/**
 * A connection's socket, outbound queue and state, driven by its {@link IoLoop}.
 *
 * <h2>Lifecycle</h2>
 * <ul>
 * <li><b>OPEN</b>: registered for reads. Bytes read are handed to the handler; writes go straight
 * to the socket while nothing is queued, otherwise into the {@link OutboundQueue}, and OP_WRITE is
 * registered only while that queue is non-empty. Above the write high-water mark the connection
 * stops being read (the peer's TCP window then pushes back) and resumes below the low-water mark;
 * past the hard cap ({@code maxQueuedOutput}) it is closed as not keeping up.</li>
 * <li><b>CLOSING</b> ({@link #closeAfterFlush()}, end of input, graceful shutdown): no new writes;
 * the queue drains. Then, if the peer's input already ended, the connection closes. Otherwise it
 * <em>lingers</em>: output is shut down (the peer sees FIN after the last byte) and input is read
 * and discarded until the peer closes or {@code lingerTimeout} passes. Closing at once with unread
 * input would make the kernel send RST, which can destroy the tail of the reply still in flight
 * (the reason for Apache httpd's "lingering close").</li>
 * <li><b>CLOSED</b>: key cancelled, socket closed, queue dropped, handler told once via
 * {@code onClose}. Reached from any state: by {@link #close()}, a read or write I/O error (a
 * reset), a handler exception, the queue overflowing, or a timeout: nothing read for the read-idle
 * timeout, output pending without progress for the write-idle timeout, or taken by the peer slower
 * than the minimum write rate, when one is set.</li>
 * </ul>
 * All state changes happen on the loop thread; other threads' calls become loop tasks.
 *
 * <h2>Transport</h2>
 * Between the socket and the handler sits the listener's {@link Transport}: {@link PlainTransport}
 * passes bytes through, {@link TlsTransport} runs TLS (the handler hears {@code onOpen} once the
 * handshake completed; a graceful close sends close_notify first). The outbound queue, the
 * watermarks, {@code maxQueuedOutput} and the byte counters see the bytes on the wire. On a PROXY
 * protocol listener {@link ProxyProtocolTransport} comes first and replaces the remote address
 * with the client's once the header arrived ({@link #proxied}).
 *
 * <h2>Files and streams</h2>
 * {@link #sendFile} and {@link #sendStream} put their source in {@link OutboundSources}, ahead of
 * the transport; writes made while a source is pending wait behind it there, so the peer gets
 * everything in call order. The loop pulls from the sources only while the wire queue is below
 * the high-water mark, and the connection is not writable until they are all sent.
 */
final class NioConnection implements Connection, TransportContext {

	private static final System.Logger log = System.getLogger(NioConnection.class.getName());

	private static final int OPEN = 0;

	private static final int CLOSING = 1;

	private static final int CLOSED = 2;

	final long id;

	final SocketChannel channel;

	final IoLoop loop;

	final Listener listener;

	private final ConnectionHandler handler;

	private final Transport transport;

	/** The socket's peer, then the client a PROXY header named; volatile for monitoring threads. */
	private volatile InetSocketAddress remoteAddress;

	/** The socket's peer on a PROXY protocol listener once its header arrived, else {@code null}. */
	private volatile InetSocketAddress proxyAddress;

	private volatile ProxyHeader proxyHeader;

	/** Whether the server's observer heard of the open (after the PROXY header, on such a listener). Loop thread. */
	boolean observed;

	private final InetSocketAddress localAddress;

	private final long openedAtMillis;

	private final long openedAtNanos;

	private SelectionKey key;

	/** Interest set as last given to the key; compared before changing it (each change costs a lock in the JDK). */
	private int interest;

	/** Written on the loop thread only; volatile so that {@link #isOpen()} is exact from any thread. */
	private volatile int state = OPEN;

	private OutboundQueue outbound;

	/** Files and streams not yet sent, and the writes behind them; made on first use. Loop thread. */
	private OutboundSources sources;

	/** {@link #sources} holds something; volatile for {@link #isWritable()} on other threads. */
	private volatile boolean sourcesPending;

	/** Sources are being pulled: a handler callback during it must not pull again (order). */
	private boolean pulling;

	/** A graceful close waits for the sources: close_notify and the FIN go after them. */
	private boolean closePending;

	/**
	 * Queued output passed the high-water mark and has not yet drained to the low-water mark:
	 * reading is paused and the connection is not writable. Written on the loop thread; volatile
	 * for {@link #isWritable()} on other threads.
	 */
	private volatile boolean readPaused;

	/** The handler was last told the connection is not writable. Loop thread. */
	private boolean toldUnwritable;

	/**
	 * Someone found {@link #isWritable()} false and must hear when it is true again, though the
	 * loop may never have seen the output that made it false (another thread's writes still on
	 * their way, which the socket then took at once).
	 */
	private volatile boolean writabilityWanted;

	/** Reading paused by the handler ({@link #pauseReading()}), independent of write backpressure. */
	private boolean readSuspended;

	/** Reading paused by the transport (TLS handshake work running on another thread). */
	private boolean layerSuspended;

	private boolean inputClosed;

	/** Whether the handler was told of the open; onClose is paired with it. */
	private boolean opened;

	/**
	 * Bytes written from other threads and still travelling to the loop as tasks; counted
	 * against the hard cap, so a producer on another thread cannot outrun the loop unbounded.
	 */
	@SuppressWarnings("unused")
	private volatile long inTransit;

	private static final java.lang.invoke.VarHandle IN_TRANSIT;

	static {
		try {
			IN_TRANSIT = java.lang.invoke.MethodHandles.lookup()
				.findVarHandle(NioConnection.class, "inTransit", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/** Output shut down after the drain; reading and discarding until the peer closes. */
	private boolean lingering;

	/** Why the connection is closing, once a failure decided it; {@code null} for a normal close. */
	private CloseReason closeReason;

	/** The server's graceful stop reached this connection: a normal close then counts as shutdown. */
	private boolean stopping;

	/** Read-idle timeout in nanos, 0 when off; any thread may set it, the loop reads it. */
	private volatile long readIdleTimeoutNanos;

	/** When the read-idle timeout was last set on the loop thread: its clock runs from there at the earliest. */
	private long readIdleSetNanos;

	/** Write-idle (stalled output) timeout in nanos, 0 when off. */
	private volatile long writeIdleTimeoutNanos;

	/** Minimum rate the peer must take pending output at, bytes per second; 0 when off. */
	private volatile long minWriteRate;

	/** Length of each minimum-rate measurement, nanos. */
	private volatile long minWriteRateWindowNanos;

	/** When the current minimum-rate window began (nanoTime), 0 while no output is pending. Loop thread. */
	private long writeWindowStartNanos;

	/** bytesSent when that window began. Loop thread. */
	private long writeWindowStartBytes;

	/** When lingering ends at the latest (nanoTime). */
	private long lingerDeadlineNanos;

	// Statistics: plain fields written by the loop thread alone and read (possibly slightly stale)
	// by monitoring threads; no atomics on the hot path.
	private long bytesReceived;

	private long bytesSent;

	private long lastReadNanos;

	private long lastWriteNanos;

	private long queuedBytes;

	private int queuedMessages;

	private volatile Object attachment;

	NioConnection(long id, SocketChannel channel, IoLoop loop, Listener listener, InetSocketAddress remoteAddress,
			InetSocketAddress localAddress) {
		this.id = id;
		this.channel = channel;
		this.loop = loop;
		this.listener = listener;
		this.handler = listener.handler();
		this.remoteAddress = remoteAddress;
		this.localAddress = localAddress;
		this.openedAtMillis = System.currentTimeMillis();
		this.openedAtNanos = System.nanoTime();
		this.lastReadNanos = this.openedAtNanos;
		this.lastWriteNanos = this.openedAtNanos;
		this.readIdleTimeoutNanos = loop.config().readIdleTimeout().toNanos();
		this.writeIdleTimeoutNanos = loop.config().writeIdleTimeout().toNanos();
		this.transport = listener.newTransport(this);
	}

	// ---------------------------------------------------------------- loop side

	/** Registers with the loop's selector and tells the handler. Loop thread. */
	void register() throws IOException {
		this.interest = SelectionKey.OP_READ;
		this.key = this.channel.register(this.loop.selector(), this.interest, this);
		// Visible to other threads (the Actuator, broadcasts) only now that it is registered, so
		// nothing can be written or paused before the key exists.
		this.loop.server().connectionRegistered(this);
		this.transport.start();
	}

	/** The socket is readable: read until it is empty, the budget is spent or reading pauses. */
	void onReadable(ByteBuffer buffer, int maxReads) {
		if (this.lingering) {
			discardInput(buffer, maxReads);
			return;
		}
		for (int reads = 0; reads < maxReads && this.state == OPEN && !this.readPaused && !this.readSuspended
				&& !this.layerSuspended; reads++) {
			buffer.clear();
			int n;
			try {
				n = this.channel.read(buffer);
			}
			catch (IOException ex) {
				ioFailed("read", ex);
				return;
			}
			if (n <= 0) {
				if (n < 0) {
					endOfInput();
				}
				return;
			}
			this.bytesReceived += n;
			this.lastReadNanos = this.loop.now();
			buffer.flip();
			this.transport.onInbound(buffer);
			if (n < buffer.capacity()) {
				// A short read means the socket's receive queue is empty: don't pay for a read that
				// returns 0.
				return;
			}
		}
	}

	/** The socket is writable again: flush the queue. */
	void onWritable() {
		if (this.state == CLOSED) {
			return;
		}
		flush();
	}

	private void endOfInput() {
		// End of stream stays "readable" forever: drop OP_READ first or the loop would spin on it.
		this.inputClosed = true;
		setInterest(this.interest & ~SelectionKey.OP_READ);
		this.transport.onEndOfInput();
	}

	// ---------------------------------------------------------------- TransportContext, loop thread

	@Override
	public void deliver(ByteBuffer data) {
		try {
			this.handler.onRead(this, data);
		}
		catch (Throwable ex) {
			handlerFailed("onRead", ex);
		}
	}

	@Override
	public void proxied(ProxyHeader header) {
		this.proxyHeader = header;
		this.proxyAddress = this.remoteAddress;
		if (header.hasAddresses()) {
			this.remoteAddress = header.source();
		}
		this.loop.server().connectionIdentified(this);
	}

	@Override
	public void opened() {
		if (this.state == CLOSED || this.opened) {
			return;
		}
		this.opened = true;
		try {
			this.handler.onOpen(this);
		}
		catch (Throwable ex) {
			handlerFailed("onOpen", ex);
			return;
		}
		if (this.sourcesPending) {
			pullSources(); // given before the TLS handshake ended (from another thread)
		}
	}

	@Override
	public void inputEnded() {
		if (this.state == CLOSED) {
			return;
		}
		if (!this.opened) {
			closeNow(); // the handler never saw it open: nothing to finish
			return;
		}
		try {
			this.handler.onInputClosed(this);
		}
		catch (Throwable ex) {
			handlerFailed("onInputClosed", ex);
		}
	}

	@Override
	public boolean isInputOpen() {
		return this.state == OPEN;
	}

	@Override
	public void suspendInput() {
		this.layerSuspended = true;
		updateInterest();
	}

	@Override
	public void resumeInput() {
		if (this.layerSuspended) {
			this.layerSuspended = false;
			updateInterest();
		}
	}

	@Override
	public void layerFailed() {
		closeNow();
	}

	@Override
	public void heldOutputOverflowed(long held) {
		overflowed(held);
	}

	@Override
	public long maxQueuedOutput() {
		return this.loop.config().maxQueuedOutput();
	}

	@Override
	public long now() {
		return this.loop.now();
	}

	@Override
	public LayerBuffers buffers() {
		return this.loop.layerBuffers();
	}

	@Override
	public void sendLast(ByteBuffer wire) {
		if (this.state == CLOSED || (this.outbound != null && !this.outbound.isEmpty())) {
			return;
		}
		try {
			long n = wire.isDirect() ? this.channel.write(wire) : writeStaged(wire, false);
			this.bytesSent += n;
		}
		catch (IOException ex) {
			// The farewell of a connection closing anyway; the peer may be gone.
		}
	}

	/** Application bytes written on the loop thread: through the transport (TLS encrypts them). */
	private void writeOnLoop(ByteBuffer data, boolean owned) {
		if (this.state != OPEN || !data.hasRemaining()) {
			return;
		}
		if (this.sourcesPending) {
			holdBehindSources(owned ? data : copyOf(data));
			return;
		}
		this.transport.write(data, owned);
	}

	/** A write made while a file or stream is still being sent: it waits its turn, counted against the limit. */
	private void holdBehindSources(ByteBuffer owned) {
		this.sources.addBytes(owned);
		long total = queuedWireBytes() + this.sources.heldBytes();
		if (total + (long) IN_TRANSIT.getOpaque(this) > this.loop.config().maxQueuedOutput()) {
			overflowed(total);
		}
	}

	private long queuedWireBytes() {
		return (this.outbound == null) ? 0 : this.outbound.bytes();
	}

	/** Adds a file or stream behind everything written so far. Loop thread. */
	private void addSource(CompletableFuture<?> done, java.util.function.Consumer<OutboundSources> add,
			InputStream stream) {
		if (this.state != OPEN) {
			refuseSource(done, stream);
			return;
		}
		if (this.sources == null) {
			this.sources = new OutboundSources();
		}
		add.accept(this.sources);
		this.sourcesPending = true;
		pullSources();
	}

	/**
	 * A file or stream that will never be sent: its stage fails with {@link ClosedChannelException}
	 * and a stream is closed, as {@link Connection#sendStream} promises. Any thread.
	 */
	private static void refuseSource(CompletableFuture<?> done, InputStream stream) {
		if (stream != null) {
			try {
				stream.close();
			}
			catch (IOException ex) {
				log.log(Level.DEBUG, "Closing a stream that was never sent failed", ex);
			}
		}
		done.completeExceptionally(new ClosedChannelException());
	}

	/** Queues a file or stream on the loop; told when the loop ended first, so the stage still completes. */
	private final class AddSource implements IoLoop.AbandonableTask {

		private final CompletableFuture<?> done;

		private final java.util.function.Consumer<OutboundSources> add;

		/** The stream to close if it is never queued; {@code null} for a file (the caller's to close). */
		private final InputStream stream;

		AddSource(CompletableFuture<?> done, java.util.function.Consumer<OutboundSources> add, InputStream stream) {
			this.done = done;
			this.add = add;
			this.stream = stream;
		}

		@Override
		public void run() {
			addSource(this.done, this.add, this.stream);
		}

		@Override
		public void abandon() {
			refuseSource(this.done, this.stream);
		}

	}

	/**
	 * Sends from the pending files and streams while the wire queue has room; once all are sent,
	 * a graceful close waiting for them goes on. Loop thread.
	 */
	private void pullSources() {
		if (this.pulling || this.state == CLOSED || !this.sourcesPending) {
			return;
		}
		boolean all;
		this.pulling = true;
		try {
			all = this.sources.pull(this.sink);
		}
		catch (OutboundSources.SocketFailure ex) {
			ioFailed("write", (IOException) ex.getCause());
			return;
		}
		catch (IOException ex) {
			sourceFailed(ex);
			return;
		}
		finally {
			this.pulling = false;
		}
		if (this.state == CLOSED) {
			return;
		}
		if (all) {
			this.sourcesPending = false;
			if (this.closePending) {
				this.closePending = false;
				this.transport.closeOutbound();
				if (this.state == CLOSED) {
					return;
				}
			}
		}
		outputProgressed();
	}

	/** A file or stream could not be read: the peer would get a body cut short, so the connection closes. */
	private void sourceFailed(IOException ex) {
		this.listener.errors.increment();
		log.log(Level.WARNING, "Sending a file or stream on connection " + this.id + " of listener '"
				+ this.listener.name() + "' failed; closing the connection, since the peer cannot tell a cut body", ex);
		closingFor(CloseReason.ERROR);
		notifyError(ex);
		closeNow();
	}

	/** What the pending sources see of this connection. */
	private final OutboundSources.Sink sink = new OutboundSources.Sink() {

		@Override
		public boolean hasRoom() {
			// Not before the handler heard of the open: a TLS layer holds what it cannot encrypt yet.
			return NioConnection.this.state != CLOSED && NioConnection.this.opened && !NioConnection.this.lingering
					&& queuedWireBytes() <= NioConnection.this.loop.config().writeHighWaterMark();
		}

		@Override
		public void send(ByteBuffer data, boolean owned) {
			NioConnection.this.transport.write(data, owned);
		}

		@Override
		public long transfer(FileChannel file, long position, long count) throws IOException {
			return transferFile(file, position, count);
		}

		@Override
		public ByteBuffer stagingBuffer() {
			return NioConnection.this.loop.stagingBuffer();
		}

		@Override
		public void execute(Runnable task) {
			NioConnection.this.loop.execute(task);
		}

		@Override
		public void pull() {
			pullSources();
		}

	};

	/**
	 * File bytes straight from the page cache to the socket ({@code sendfile(2)}), when the bytes
	 * on the wire are the file's: a transport that transforms them (TLS) must see them instead.
	 * @return bytes the socket took, or -1 when the transport must see the bytes
	 */
	private long transferFile(FileChannel file, long position, long count) throws IOException {
		if (!this.transport.passesBytesThrough()) {
			return -1;
		}
		if (this.outbound != null && !this.outbound.isEmpty()) {
			return 0; // earlier bytes first; the flush pulls again once they are out
		}
		long n;
		try {
			n = file.transferTo(position, count, this.channel);
		}
		catch (IOException ex) {
			// The file or the socket? A file that still answers points at the peer (a reset),
			// which closes the connection quietly rather than as a server error.
			try {
				file.size();
			}
			catch (IOException fileFailed) {
				throw ex;
			}
			throw new OutboundSources.SocketFailure(ex);
		}
		this.bytesSent += n;
		if (n > 0) {
			this.lastWriteNanos = this.loop.now();
		}
		return n;
	}

	/**
	 * Wire bytes on the loop thread: straight to the socket while nothing is queued, so the common
	 * case copies nothing. Allowed while closing, for a transport's farewell (close_notify).
	 * @param data the bytes
	 * @param owned whether the connection owns {@code data} (then a remainder is queued as is,
	 * otherwise it is copied, since the caller may reuse its buffer, often the shared read buffer)
	 */
	@Override
	public void send(ByteBuffer data, boolean owned) {
		if (this.state == CLOSED || this.lingering || !data.hasRemaining()) {
			return;
		}
		// Whether OP_WRITE still has to be asked for: decided before the write, since a staging
		// buffer lent to the queue by a partial write makes it non-empty in the meantime.
		boolean queueWasEmpty = this.outbound == null || this.outbound.isEmpty();
		if (queueWasEmpty) {
			try {
				long n = data.isDirect() ? this.channel.write(data) : writeStaged(data, true);
				this.bytesSent += n;
				if (n > 0) {
					this.lastWriteNanos = this.loop.now();
				}
			}
			catch (IOException ex) {
				ioFailed("write", ex);
				return;
			}
			if (!data.hasRemaining()) {
				if (this.outbound != null && !this.outbound.isEmpty()) {
					enqueue(null, true); // the unwritten rest was staged: account for it
				}
				return;
			}
		}
		enqueue(owned ? data : copyOf(data), queueWasEmpty);
	}

	/**
	 * Writes heap bytes through the loop's direct staging buffer, chunk by chunk while the socket
	 * takes them all. When it takes part of a chunk and {@code keepRest}, the connection keeps the
	 * staging buffer with the rest (see {@link StagingBuffers}) and {@code data} is advanced past
	 * the whole chunk: those bytes are never copied again.
	 * @return bytes written to the socket
	 */
	private long writeStaged(ByteBuffer data, boolean keepRest) throws IOException {
		long written = 0;
		while (data.hasRemaining()) {
			ByteBuffer staging = this.loop.stagingBuffer();
			int length = Math.min(data.remaining(), staging.capacity());
			staging.clear();
			staging.put(0, data, data.position(), length).limit(length);
			int n = this.channel.write(staging);
			written += n;
			if (n < length && keepRest && this.loop.staging().canLend()) {
				if (this.outbound == null) {
					this.outbound = new OutboundQueue();
				}
				this.outbound.countCopied(length);
				this.outbound.stage(this.loop.staging().takeCurrent());
				data.position(data.position() + length);
				break;
			}
			data.position(data.position() + n);
			if (n < length) {
				break;
			}
		}
		return written;
	}

	private static ByteBuffer copyOf(ByteBuffer data) {
		ByteBuffer copy = ByteBuffer.allocate(data.remaining());
		copy.put(data).flip();
		return copy;
	}

	/**
	 * Queues a buffer the connection owns, or with {@code null} accounts for bytes just staged.
	 * Loop thread.
	 * @param wasEmpty whether nothing was queued before this write (OP_WRITE not asked for yet)
	 */
	private void enqueue(ByteBuffer owned, boolean wasEmpty) {
		if (this.state == CLOSED) {
			return;
		}
		if (this.outbound == null) {
			this.outbound = new OutboundQueue();
		}
		if (owned != null) {
			this.outbound.add(owned);
		}
		updateQueueStats();
		long queued = this.outbound.bytes();
		long held = (this.sources == null) ? 0 : this.sources.heldBytes();
		if (queued + held + (long) IN_TRANSIT.getOpaque(this) > this.loop.config().maxQueuedOutput()) {
			overflowed(queued);
			return;
		}
		boolean becameUnwritable = false;
		if (queued > this.loop.config().writeHighWaterMark() && !this.readPaused) {
			this.readPaused = true;
			becameUnwritable = true;
		}
		if (wasEmpty || this.readPaused) {
			updateInterest();
		}
		if (becameUnwritable && !this.toldUnwritable && this.state == OPEN) {
			this.toldUnwritable = true;
			writabilityChanged();
		}
	}

	/**
	 * Tells the handler the connection is writable again, if it was told otherwise or someone
	 * found it unwritable since. Loop thread, after anything that can free room: a flush, a write
	 * task from another thread, a check asked for by {@link #isWritable()}.
	 */
	private void checkWritable() {
		if (this.state != OPEN || (!this.toldUnwritable && !this.writabilityWanted) || !writable()) {
			return;
		}
		this.toldUnwritable = false;
		this.writabilityWanted = false;
		writabilityChanged();
	}

	private void writabilityChanged() {
		try {
			this.handler.onWritabilityChanged(this);
		}
		catch (Throwable ex) {
			handlerFailed("onWritabilityChanged", ex);
		}
	}

	private boolean writable() {
		return this.state == OPEN && !this.readPaused && !this.sourcesPending
				&& this.queuedBytes + (long) IN_TRANSIT.getOpaque(this) <= this.loop.config().writeHighWaterMark();
	}

	/** Output passed the hard cap: close with a reason. Loop thread. */
	private void overflowed(long queued) {
		if (this.state == CLOSED) {
			return;
		}
		this.listener.overflowed.increment();
		closingFor(CloseReason.OVERFLOW);
		log.log(Level.WARNING, () -> "Closing connection " + this.id + " of listener '" + this.listener.name() + "' from "
				+ this.remoteAddress + ": " + queued + " bytes of output queued, over the limit of "
				+ this.loop.config().maxQueuedOutput() + " (tcp.server.max-queued-output); the peer is not reading");
		closeNow();
	}

	/** Writes as much of the queue as the socket takes. Loop thread. */
	private void flush() {
		OutboundQueue queue = this.outbound;
		if (queue == null) {
			pullSources(); // a file waiting for the socket, nothing queued in front of it
			return;
		}
		// A gathering write: the queued buffers (heap copies) are packed into the loop's direct
		// staging buffer and written with one syscall, as many times as the socket takes them all.
		// When the socket takes part of it, the connection keeps that staging buffer with the
		// rest, so that no byte is copied twice however slowly the peer reads.
		while (!queue.isEmpty()) {
			ByteBuffer staged = queue.staged();
			int attempted;
			int n;
			try {
				if (staged != null) {
					attempted = staged.remaining();
					n = this.channel.write(staged);
					queue.stagedWritten(n);
					if (n == attempted) {
						this.loop.staging().giveBack(queue.unstage());
					}
				}
				else {
					ByteBuffer staging = this.loop.stagingBuffer();
					staging.clear();
					attempted = queue.copyInto(staging);
					staging.flip();
					n = this.channel.write(staging);
					if (n < attempted && this.loop.staging().canLend()) {
						queue.consumed(attempted);
						queue.stage(this.loop.staging().takeCurrent());
					}
					else {
						// All taken, or no buffer to lend: the rest stays queued and is copied again.
						queue.consumed(n);
					}
				}
			}
			catch (IOException ex) {
				ioFailed("write", ex);
				return;
			}
			this.bytesSent += n;
			if (n > 0) {
				this.lastWriteNanos = this.loop.now();
			}
			if (n < attempted) {
				break; // the socket's send buffer is full: wait for OP_WRITE
			}
		}
		updateQueueStats();
		if (this.sourcesPending) {
			pullSources();
			return;
		}
		outputProgressed();
	}

	/**
	 * After output moved: finishes a graceful close once everything is out, lifts the read pause
	 * below the low-water mark, and updates interest and writability. Loop thread.
	 */
	private void outputProgressed() {
		if (this.state == CLOSED) {
			return;
		}
		long queued = queuedWireBytes();
		if (this.outbound != null) {
			updateQueueStats();
		}
		if (queued == 0 && this.state == CLOSING && !this.sourcesPending && !this.closePending && !this.lingering) {
			drained();
			return;
		}
		if (this.readPaused && queued <= this.loop.config().writeLowWaterMark()) {
			this.readPaused = false;
			// The pause was ours, not the peer's silence: restart the read-idle clock.
			this.lastReadNanos = this.loop.now();
		}
		updateInterest();
		checkWritable();
	}

	private void updateQueueStats() {
		this.queuedBytes = this.outbound.bytes();
		this.queuedMessages = this.outbound.size();
	}

	private void updateInterest() {
		if (this.lingering) {
			setInterest(SelectionKey.OP_READ); // only the peer's EOF matters now
			return;
		}
		int ops = 0;
		if (this.state == OPEN && !this.readPaused && !this.readSuspended && !this.layerSuspended
				&& !this.inputClosed) {
			ops |= SelectionKey.OP_READ;
		}
		if ((this.outbound != null && !this.outbound.isEmpty()) || (this.sourcesPending && this.sources.awaitsSocket())) {
			ops |= SelectionKey.OP_WRITE;
		}
		setInterest(ops);
	}

	private void setInterest(int ops) {
		if (ops != this.interest && this.key != null && this.key.isValid()) {
			this.interest = ops;
			this.key.interestOps(ops);
		}
	}

	private void beginClosing() {
		if (this.state != OPEN) {
			return;
		}
		this.state = CLOSING;
		if (this.sourcesPending) {
			// Files and streams first; pullSources goes on once they are sent.
			this.closePending = true;
			updateInterest();
			return;
		}
		this.transport.closeOutbound();
		if (this.state == CLOSED) {
			return;
		}
		if (this.outbound == null || this.outbound.isEmpty()) {
			drained();
		}
		else {
			updateInterest();
		}
	}

	/** CLOSING and nothing left to write: close, or linger if the peer may still be sending. */
	private void drained() {
		if (this.inputClosed || this.lingering) {
			close(true);
			return;
		}
		try {
			this.channel.shutdownOutput();
		}
		catch (IOException ex) {
			closingFor(CloseReason.RESET);
			closeNow();
			return;
		}
		this.lingering = true;
		this.lingerDeadlineNanos = this.loop.now() + this.loop.config().lingerTimeout().toNanos();
		setInterest(SelectionKey.OP_READ);
	}

	private void discardInput(ByteBuffer buffer, int maxReads) {
		for (int reads = 0; reads < maxReads; reads++) {
			buffer.clear();
			int n;
			try {
				n = this.channel.read(buffer);
			}
			catch (IOException ex) {
				closingFor(CloseReason.RESET);
				closeNow();
				return;
			}
			if (n < 0) {
				close(true); // the peer saw our FIN and closed: the reply arrived whole
				return;
			}
			if (n < buffer.capacity()) {
				return;
			}
		}
	}

	/**
	 * Closes the connection if one of its timeouts has passed. Called by the loop's periodic sweep.
	 * @param now the loop's current nanoTime
	 */
	void checkTimeouts(long now) {
		if (this.state == CLOSED) {
			return;
		}
		this.transport.checkTimeouts(now); // the TLS handshake timeout
		if (this.state == CLOSED) {
			return;
		}
		if (this.lingering) {
			if (now - this.lingerDeadlineNanos >= 0) {
				close(true); // all output was written before FIN
			}
			return;
		}
		long readIdle = this.readIdleTimeoutNanos;
		if (readIdle > 0 && this.state == OPEN && !this.inputClosed && !this.readPaused && !this.readSuspended
				&& now - Math.max(this.lastReadNanos, this.readIdleSetNanos) >= readIdle) {
			timedOut("nothing received for " + readIdle / 1_000_000 + " ms (read-idle timeout)");
			return;
		}
		long writeIdle = this.writeIdleTimeoutNanos;
		if (writeIdle > 0 && outputStalled() && now - this.lastWriteNanos >= writeIdle) {
			timedOut(this.queuedBytes + " bytes of output pending with no progress for " + writeIdle / 1_000_000
					+ " ms (write-idle timeout)");
			return;
		}
		checkWriteRate(now);
	}

	/**
	 * The minimum write rate, per window during which output stayed pending: a peer that drains a
	 * large reply a few bytes at a time makes progress (write-idle never fires) while it holds the
	 * queue; this bounds how long. Time with nothing pending does not count against the peer.
	 */
	private void checkWriteRate(long now) {
		long minRate = this.minWriteRate;
		if (minRate <= 0 || !outputStalled()) {
			this.writeWindowStartNanos = 0;
			return;
		}
		if (this.writeWindowStartNanos == 0) {
			this.writeWindowStartNanos = now;
			this.writeWindowStartBytes = this.bytesSent;
			return;
		}
		long elapsed = now - this.writeWindowStartNanos;
		if (elapsed < this.minWriteRateWindowNanos) {
			return;
		}
		long sent = this.bytesSent - this.writeWindowStartBytes;
		if (sent < (long) (minRate * (elapsed / 1e9))) {
			timedOut(this.queuedBytes + " bytes of output pending and the peer took " + sent + " bytes in "
					+ elapsed / 1_000_000 + " ms, below the minimum of " + minRate + " bytes/s");
			return;
		}
		this.writeWindowStartNanos = now;
		this.writeWindowStartBytes = this.bytesSent;
	}

	/** @return whether output waits for the peer: queued bytes, or a file the socket has no room for */
	private boolean outputStalled() {
		return this.queuedBytes > 0 || (this.sourcesPending && this.sources.awaitsSocket());
	}

	private void timedOut(String why) {
		this.listener.timedOut.increment();
		closingFor(CloseReason.TIMEOUT);
		log.log(Level.DEBUG, () -> "Closing " + this + ": " + why);
		closeNow();
	}

	/** The loop is ending: close, and say whether the close was forced. Loop thread. */
	boolean closeAtLoopEnd() {
		boolean forced = this.state != CLOSED && !this.lingering;
		this.stopping = true;
		close(this.lingering);
		return forced;
	}

	/** Graceful shutdown: let the handler say goodbye, then drain and close. Loop thread. */
	void shutdown() {
		this.stopping = true;
		if (this.state == OPEN && this.opened) { // a TLS connection still in its handshake has no handler to ask
			try {
				this.handler.onShutdown(this);
			}
			catch (Throwable ex) {
				handlerFailed("onShutdown", ex);
				return;
			}
			if (this.state == OPEN && !this.handler.closeAfterShutdown()) {
				// The handler finishes its work elsewhere and closes the connection itself.
				return;
			}
		}
		beginClosing();
	}

	/** Closes now and releases everything. Loop thread. Idempotent. */
	void closeNow() {
		close(false);
	}

	/**
	 * @param clean whether everything owed to the peer was written (a graceful close that
	 * finished), for the shutdown report
	 */
	private void close(boolean clean) {
		if (this.state == CLOSED) {
			return;
		}
		if (!this.lingering) {
			this.transport.onClose(this.outbound == null || this.outbound.isEmpty());
		}
		this.state = CLOSED;
		if (this.closeReason == null) {
			this.closeReason = this.stopping ? CloseReason.SHUTDOWN : CloseReason.NORMAL;
		}
		if (this.key != null) {
			this.key.cancel();
		}
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			log.log(Level.DEBUG, () -> "Closing the socket of connection " + this.id + " failed", ex);
		}
		if (this.outbound != null) {
			ByteBuffer staged = this.outbound.clear();
			if (staged != null) {
				this.loop.staging().giveBack(staged);
			}
			this.outbound = null;
		}
		if (this.sources != null) {
			this.sourcesPending = false;
			this.sources.abort(); // their stages fail before onClose, so a handler sees why
		}
		this.loop.server().connectionClosed(this, clean);
		if (!this.opened) {
			return; // the handler never saw it open
		}
		try {
			this.handler.onClose(this);
		}
		catch (Throwable ex) {
			log.log(Level.WARNING, "Handler of listener '" + this.listener.name() + "' failed in onClose of connection "
					+ this.id, ex);
		}
	}

	private void handlerFailed(String callback, Throwable ex) {
		this.listener.errors.increment();
		if (this.state == CLOSED) {
			// The handler closed the connection and then threw: onClose already ran; log only.
			log.log(Level.WARNING, "Handler " + this.handler.getClass().getName() + " of listener '"
					+ this.listener.name() + "' threw in " + callback + " after closing connection " + this.id, ex);
			return;
		}
		log.log(Level.WARNING, "Handler " + this.handler.getClass().getName() + " of listener '" + this.listener.name()
				+ "' threw in " + callback + " on connection " + this.id + " from " + this.remoteAddress
				+ "; closing that connection", ex);
		closingFor(CloseReason.ERROR);
		notifyError(ex);
		closeNow();
	}

	private void ioFailed(String operation, IOException ex) {
		// A reset or broken pipe is the peer's doing, not a server fault: closed quietly.
		log.log(Level.DEBUG, () -> "Connection " + this.id + " failed on " + operation + ": " + ex);
		closingFor(CloseReason.RESET);
		notifyError(ex);
		closeNow();
	}

	/** The first failure decides the reason: an error that follows it is its consequence. */
	private void closingFor(CloseReason reason) {
		if (this.closeReason == null) {
			this.closeReason = reason;
		}
	}

	/** @return bytes copied into staging buffers for this connection so far (tests of the copy-once rule); loop thread */
	long stagingCopies() {
		return (this.outbound == null) ? 0 : this.outbound.copiedBytes();
	}

	/** @return why the connection closed, once it has; {@code null} while it is open */
	CloseReason closeReason() {
		return this.closeReason;
	}

	private void notifyError(Throwable ex) {
		try {
			this.handler.onError(this, ex);
		}
		catch (Throwable nested) {
			ex.addSuppressed(nested);
		}
	}

	// ---------------------------------------------------------------- Connection, any thread

	@Override
	public long id() {
		return this.id;
	}

	@Override
	public String listenerName() {
		return this.listener.name();
	}

	@Override
	public InetSocketAddress remoteAddress() {
		return this.remoteAddress;
	}

	@Override
	public InetSocketAddress proxyAddress() {
		return this.proxyAddress;
	}

	@Override
	public ProxyHeader proxyHeader() {
		return this.proxyHeader;
	}

	@Override
	public InetSocketAddress localAddress() {
		return this.localAddress;
	}

	@Override
	public void write(ByteBuffer data) {
		if (this.loop.inLoop()) {
			writeOnLoop(data, false);
			return;
		}
		if (this.state != OPEN || !data.hasRemaining()) {
			return;
		}
		ByteBuffer copy = copyOf(data);
		long size = copy.remaining();
		long travelling = (long) IN_TRANSIT.getAndAdd(this, size) + size;
		if (travelling + this.queuedBytes > this.loop.config().maxQueuedOutput()) {
			IN_TRANSIT.getAndAdd(this, -size);
			this.loop.execute(() -> overflowed(travelling + this.queuedBytes));
			return;
		}
		this.loop.execute(() -> {
			IN_TRANSIT.getAndAdd(this, -size);
			writeOnLoop(copy, true);
			checkWritable();
		});
	}

	@Override
	public CompletionStage<Void> sendFile(FileChannel file, long position, long count) {
		Objects.requireNonNull(file, "file");
		if (position < 0 || count < 0) {
			throw new IllegalArgumentException("A file region needs a position and count of at least 0, not "
					+ position + " and " + count);
		}
		CompletableFuture<Void> done = new CompletableFuture<>();
		onLoop(new AddSource(done, (sources) -> sources.addFile(file, position, count, done), null));
		return done;
	}

	@Override
	public CompletionStage<Long> sendStream(InputStream in, Executor executor) {
		Objects.requireNonNull(in, "in");
		Objects.requireNonNull(executor, "executor");
		CompletableFuture<Long> done = new CompletableFuture<>();
		onLoop(new AddSource(done, (sources) -> sources.addStream(in, executor, done), in));
		return done;
	}

	/** Runs {@code task} now on the loop thread, else queues it there behind this thread's earlier writes. */
	private void onLoop(Runnable task) {
		if (this.loop.inLoop()) {
			task.run();
		}
		else {
			this.loop.execute(task);
		}
	}

	@Override
	public void close() {
		if (this.loop.inLoop()) {
			closeNow();
		}
		else if (this.state != CLOSED) {
			this.loop.execute(this::closeNow);
		}
	}

	@Override
	public void closeForHandlerError() {
		this.listener.errors.increment();
		if (this.loop.inLoop()) {
			closingFor(CloseReason.ERROR);
			closeNow();
		}
		else if (this.state != CLOSED) {
			this.loop.execute(() -> {
				closingFor(CloseReason.ERROR);
				closeNow();
			});
		}
	}

	@Override
	public void closeAfterFlush() {
		if (this.loop.inLoop()) {
			beginClosing();
		}
		else if (this.state == OPEN) {
			this.loop.execute(this::beginClosing);
		}
	}

	@Override
	public void pauseReading() {
		if (this.loop.inLoop()) {
			this.readSuspended = true;
			updateInterest();
		}
		else {
			this.loop.execute(this::pauseReading);
		}
	}

	@Override
	public void resumeReading() {
		if (this.loop.inLoop()) {
			if (this.readSuspended) {
				this.readSuspended = false;
				this.lastReadNanos = this.loop.now();
				updateInterest();
			}
		}
		else {
			this.loop.execute(this::resumeReading);
		}
	}

	@Override
	public boolean isOpen() {
		return this.state != CLOSED;
	}

	@Override
	public SSLSession sslSession() {
		return this.transport.session();
	}

	@Override
	public boolean isWritable() {
		if (writable()) {
			return true;
		}
		if (this.state == OPEN && !this.writabilityWanted) {
			// The caller may now wait for onWritabilityChanged: make sure it comes, even if nothing
			// the loop does later would otherwise look (a writer whose bytes are still in transit).
			this.writabilityWanted = true;
			if (!this.loop.inLoop()) {
				this.loop.execute(this::checkWritable);
			}
		}
		return false;
	}

	@Override
	public long pendingOutboundBytes() {
		return this.queuedBytes;
	}

	@Override
	public int pendingOutboundMessages() {
		return this.queuedMessages;
	}

	@Override
	public long bytesReceived() {
		return this.bytesReceived;
	}

	@Override
	public long bytesSent() {
		return this.bytesSent;
	}

	@Override
	public long applicationBytesReceived() {
		long plaintext = this.transport.plaintextBytesReceived();
		return (plaintext >= 0) ? plaintext : this.bytesReceived;
	}

	@Override
	public long applicationBytesSent() {
		long plaintext = this.transport.plaintextBytesSent();
		return (plaintext >= 0) ? plaintext : this.bytesSent;
	}

	@Override
	public Instant openedAt() {
		return Instant.ofEpochMilli(this.openedAtMillis);
	}

	@Override
	public Instant lastActivity() {
		long last = Math.max(this.lastReadNanos, this.lastWriteNanos);
		return Instant.ofEpochMilli(this.openedAtMillis + (last - this.openedAtNanos) / 1_000_000);
	}

	@Override
	public void setReadIdleTimeout(Duration timeout) {
		this.readIdleTimeoutNanos = nanos(timeout);
		if (this.loop.inLoop()) {
			this.readIdleSetNanos = this.loop.now();
		}
	}

	@Override
	public void setWriteIdleTimeout(Duration timeout) {
		this.writeIdleTimeoutNanos = nanos(timeout);
	}

	@Override
	public void setMinWriteRate(long bytesPerSecond, Duration window) {
		if (bytesPerSecond < 0) {
			throw new IllegalArgumentException("A minimum write rate must not be negative: " + bytesPerSecond);
		}
		this.minWriteRateWindowNanos = Math.max(nanos(window), TimeUnit.MILLISECONDS.toNanos(250));
		this.minWriteRate = bytesPerSecond;
	}

	private static long nanos(Duration timeout) {
		if (timeout == null || timeout.isZero()) {
			return 0;
		}
		if (timeout.isNegative()) {
			throw new IllegalArgumentException("A timeout must not be negative: " + timeout);
		}
		return timeout.toNanos();
	}

	@Override
	public Object attachment() {
		return this.attachment;
	}

	@Override
	public String protocol() {
		return this.handler.protocolOf(this);
	}

	@Override
	public void attach(Object attachment) {
		this.attachment = attachment;
	}

	@Override
	public void execute(Runnable task) {
		this.loop.execute(task);
	}

	@Override
	public void reportProtocolError() {
		// A LongAdder on the listener: errors are rare, and reporting from any thread must be safe.
		this.listener.protocolErrors.increment();
	}

	@Override
	public String toString() {
		return "Connection " + this.id + " [" + this.listener.name() + ", " + this.remoteAddress + "]";
	}

}
