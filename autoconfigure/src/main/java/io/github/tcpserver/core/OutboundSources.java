package io.github.tcpserver.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Output of a connection that is not bytes in memory yet: file regions and streams, sent in the
 * order they were given, and the writes made behind them (held as copies until their turn). The
 * loop pulls from the head only while the connection's wire queue is below its high-water mark,
 * so a body of any size costs about that much memory whatever the peer's speed. Loop thread only.
 * <p>
 * A file region goes to the socket with {@link FileChannel#transferTo} when the transport passes
 * bytes through (from the page cache, no copy in the JVM); otherwise (TLS) it is read chunk by
 * chunk into the loop's staging buffer and written through the transport. A stream is read on
 * the caller's executor one chunk ahead of the socket, never on the loop: reading may block.
 */
final class OutboundSources {

	/** Largest chunk read from a stream at once; also the most a stream holds in memory beyond the queue. */
	static final int STREAM_CHUNK = 64 * 1024;

	/** What the sources see of their connection. Loop thread. */
	interface Sink {

		/** @return whether the connection takes more output now: open and below the high-water mark */
		boolean hasRoom();

		/** Application bytes through the transport (written, or queued as wire bytes). */
		void send(ByteBuffer data, boolean owned);

		/**
		 * Writes file bytes straight to the socket when the transport passes bytes through.
		 * @return bytes the socket took (0 while earlier output is still queued, or the socket is
		 * full), or -1 when the transport must see the bytes (TLS)
		 */
		long transfer(FileChannel file, long position, long count) throws IOException;

		/** @return the loop's direct staging buffer, lent for the duration of one call */
		ByteBuffer stagingBuffer();

		/** Runs {@code task} on the loop thread. Any thread. */
		void execute(Runnable task);

		/** The head source can go on (a stream's chunk arrived): pull again. Loop thread. */
		void pull();

	}

	/** Writing to the socket failed while sending a file (a reset): the peer's doing, not the file's. */
	static final class SocketFailure extends IOException {

		private static final long serialVersionUID = 1L;

		SocketFailure(IOException cause) {
			super(cause.getMessage(), cause);
		}

	}

	private final ArrayDeque<Source> queue = new ArrayDeque<>();

	/** Bytes of the writes held behind a file or stream, counted against the output limits. */
	private long heldBytes;

	boolean isEmpty() {
		return this.queue.isEmpty();
	}

	long heldBytes() {
		return this.heldBytes;
	}

	/** @return whether the head waits for the socket to take more (OP_WRITE wanted), not for a chunk */
	boolean awaitsSocket() {
		Source head = this.queue.peek();
		return head != null && head.awaitsSocket;
	}

	void addFile(FileChannel file, long position, long count, CompletableFuture<Void> done) {
		this.queue.add(new FileRegion(file, position, count, done));
	}

	void addStream(InputStream in, Executor executor, CompletableFuture<Long> done) {
		this.queue.add(new StreamSource(in, executor, done));
	}

	/** Holds a write made while a file or stream is still ahead of it. */
	void addBytes(ByteBuffer owned) {
		this.heldBytes += owned.remaining();
		this.queue.add(new Bytes(owned));
	}

	/**
	 * Sends from the head on while the connection has room.
	 * @return whether everything was sent
	 * @throws IOException when a file or stream failed (the head's stage is failed already)
	 */
	boolean pull(Sink sink) throws IOException {
		Source head;
		while ((head = this.queue.peek()) != null && sink.hasRoom()) {
			boolean finished;
			try {
				finished = head.pull(sink);
			}
			catch (SocketFailure ex) {
				// The peer's doing (a reset): the connection closes, and abort() fails the stages
				// after that, so the handler sees a closed connection rather than a failed body.
				throw ex;
			}
			catch (IOException | RuntimeException ex) {
				this.queue.poll();
				head.fail(ex);
				throw (ex instanceof IOException io) ? io : new IOException(ex);
			}
			if (this.queue.peek() != head) {
				return this.queue.isEmpty(); // the connection closed while sending: abort() took all
			}
			if (!finished) {
				return false;
			}
			this.queue.poll();
			if (head instanceof Bytes bytes) {
				this.heldBytes -= bytes.length;
			}
			head.complete();
		}
		return this.queue.isEmpty();
	}

	/** The connection closed: every source not yet sent fails, streams are closed. */
	void abort() {
		Source source;
		while ((source = this.queue.poll()) != null) {
			source.fail(new ClosedChannelException());
		}
		this.heldBytes = 0;
	}

	private abstract static class Source {

		/** The socket's send buffer is full in the middle of this source. */
		boolean awaitsSocket;

		/** @return whether the source is exhausted; {@code false} when it must wait */
		abstract boolean pull(Sink sink) throws IOException;

		abstract void complete();

		abstract void fail(Throwable cause);

	}

	/** A write made behind a file or stream. */
	private static final class Bytes extends Source {

		private final ByteBuffer data;

		final int length;

		Bytes(ByteBuffer data) {
			this.data = data;
			this.length = data.remaining();
		}

		@Override
		boolean pull(Sink sink) {
			sink.send(this.data, true);
			return true;
		}

		@Override
		void complete() {
		}

		@Override
		void fail(Throwable cause) {
		}

	}

	private static final class FileRegion extends Source {

		/**
		 * Bytes of a file sent in one turn of the loop at most: a fast peer on a fast link would
		 * otherwise take a whole large file in one pull while the loop's other connections wait.
		 */
		static final long BYTES_PER_TURN = 1024 * 1024;

		private final CompletableFuture<Void> done;

		private final FileChannel file;

		private long position;

		private long left;

		FileRegion(FileChannel file, long position, long count, CompletableFuture<Void> done) {
			this.done = done;
			this.file = file;
			this.position = position;
			this.left = count;
		}

		@Override
		boolean pull(Sink sink) throws IOException {
			this.awaitsSocket = false;
			long budget = BYTES_PER_TURN;
			while (this.left > 0) {
				if (budget <= 0) {
					sink.execute(sink::pull); // the rest in a later turn, after the other connections
					return false;
				}
				long n = sink.transfer(this.file, this.position, Math.min(this.left, budget));
				if (n < 0) {
					return copy(sink);
				}
				budget -= n;
				if (n == 0) {
					// transferTo also returns 0 at the end of the file: a region past it must fail,
					// not wait for a socket that is not full.
					if (this.position >= this.file.size()) {
						throw new IOException("The file ended at " + this.position + ", " + this.left
								+ " bytes before the end of the region");
					}
					this.awaitsSocket = true;
					return false;
				}
				this.position += n;
				this.left -= n;
			}
			return true;
		}

		/** Through the transport (TLS): a chunk at a time into the staging buffer, while there is room. */
		private boolean copy(Sink sink) throws IOException {
			long budget = BYTES_PER_TURN;
			while (this.left > 0) {
				if (!sink.hasRoom()) {
					return false;
				}
				if (budget <= 0) {
					sink.execute(sink::pull); // the rest in a later turn, after the other connections
					return false;
				}
				ByteBuffer chunk = sink.stagingBuffer();
				chunk.clear().limit((int) Math.min(chunk.capacity(), this.left));
				int n = this.file.read(chunk, this.position);
				if (n < 0) {
					throw new IOException("The file ended at " + this.position + ", " + this.left
							+ " bytes before the end of the region");
				}
				chunk.flip();
				this.position += n;
				this.left -= n;
				budget -= n;
				sink.send(chunk, false);
			}
			return true;
		}

		@Override
		void complete() {
			this.done.complete(null);
		}

		@Override
		void fail(Throwable cause) {
			this.done.completeExceptionally(cause);
		}

	}

	/**
	 * An {@link InputStream} read on its executor, one chunk ahead of the socket: the loop takes a
	 * chunk when it has room and asks for the next at once, so reading and sending overlap while
	 * at most one chunk waits in memory.
	 */
	private static final class StreamSource extends Source {

		private final CompletableFuture<Long> done;

		private final InputStream in;

		private final Executor executor;

		/** Loop thread: a read runs on the executor. */
		private boolean reading;

		/** Loop thread: the chunk read and not yet sent. */
		private ByteBuffer chunk;

		/** Loop thread: the stream ended (and was closed). */
		private boolean ended;

		/** Loop thread: the read failed. */
		private IOException failure;

		/** Set by the loop when the connection closed; the reading thread then closes the stream. */
		private volatile boolean abandoned;

		private long sent;

		private Sink sink;

		StreamSource(InputStream in, Executor executor, CompletableFuture<Long> done) {
			this.done = done;
			this.in = in;
			this.executor = executor;
		}

		@Override
		boolean pull(Sink sink) throws IOException {
			this.sink = sink;
			if (this.failure != null) {
				throw this.failure;
			}
			if (this.chunk != null) {
				ByteBuffer next = this.chunk;
				this.chunk = null;
				this.sent += next.remaining();
				readAhead();
				sink.send(next, true);
			}
			if (this.ended) {
				return true;
			}
			readAhead();
			return false;
		}

		private void readAhead() throws IOException {
			if (this.reading || this.ended || this.chunk != null) {
				return;
			}
			this.reading = true;
			try {
				this.executor.execute(this::read);
			}
			catch (RejectedExecutionException ex) {
				this.reading = false;
				throw new IOException("The executor refused to read the stream: " + ex.getMessage(), ex);
			}
		}

		/** On the executor: one read, handed to the loop. */
		private void read() {
			byte[] bytes = new byte[STREAM_CHUNK];
			int n;
			IOException error = null;
			try {
				n = this.in.read(bytes);
				if (n < 0 || this.abandoned) {
					this.in.close();
				}
			}
			catch (IOException ex) {
				n = -1;
				error = ex;
				closeQuietly();
			}
			catch (RuntimeException | Error ex) {
				// The loop must hear of it, or the body would wait for this read forever.
				n = -1;
				error = new IOException("Reading the stream failed: " + ex, ex);
				closeQuietly();
				if (ex instanceof Error fatal) {
					this.sink.execute(new ReadDone(-1, error, bytes));
					throw fatal;
				}
			}
			int length = n;
			IOException failed = error;
			// A short read (a pipe, a socket) is copied to its size: queued as is, a 64 KiB array
			// holding 100 bytes would let the queue's byte count, which bounds it, hide 650 times
			// as much memory.
			byte[] data = (n > 0 && n < STREAM_CHUNK / 2) ? java.util.Arrays.copyOf(bytes, n) : bytes;
			this.sink.execute(new ReadDone(length, failed, data));
		}

		/** A read's result, handed to the loop; if the loop has ended, the stream is closed here. */
		private final class ReadDone implements IoLoop.AbandonableTask {

			private final int length;

			private final IOException failed;

			private final byte[] data;

			ReadDone(int length, IOException failed, byte[] data) {
				this.length = length;
				this.failed = failed;
				this.data = data;
			}

			@Override
			public void run() {
				StreamSource source = StreamSource.this;
				source.reading = false;
				if (source.abandoned) {
					if (this.length >= 0) {
						// The connection closed while this read ran, after the check above.
						closeOnExecutor();
					}
					return;
				}
				if (this.failed != null) {
					source.failure = this.failed;
				}
				else if (this.length < 0) {
					source.ended = true;
				}
				else if (this.length > 0) {
					source.chunk = ByteBuffer.wrap(this.data, 0, this.length);
				}
				source.sink.pull();
			}

			@Override
			public void abandon() {
				if (this.length >= 0) {
					closeQuietly(); // not closed by the read (closed at its end or failure)
				}
			}

		}

		private void closeQuietly() {
			try {
				this.in.close();
			}
			catch (IOException | RuntimeException ignored) {
				// Closing after a failed read: the failure already says what went wrong.
			}
		}

		@Override
		void complete() {
			this.done.complete(this.sent);
		}

		@Override
		void fail(Throwable cause) {
			this.abandoned = true;
			this.chunk = null;
			if (!this.reading && !this.ended) {
				closeOnExecutor(); // no read in progress to close it
			}
			this.done.completeExceptionally(cause);
		}

		/** Closes the stream where reading happens, never on the loop: closing may block too. */
		private void closeOnExecutor() {
			try {
				this.executor.execute(this::closeQuietly);
			}
			catch (RejectedExecutionException ex) {
				closeQuietly();
			}
		}

	}

}
