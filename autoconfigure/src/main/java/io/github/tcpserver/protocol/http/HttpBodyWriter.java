package io.github.tcpserver.protocol.http;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.github.tcpserver.core.Connection;

/**
 * Sends one response body after its header section, a slice at a time and only while the
 * connection is writable, so that what a connection queues stays near its high-water mark
 * whatever the body's size and the client's speed. Array and chunk bodies are sliced on the I/O
 * thread; streams and files are read on an executor, one slice ahead at most, because a read may
 * block.
 */
abstract class HttpBodyWriter {

	/** The most bytes handed to the connection in one write, and the read buffer of a stream. */
	static final int SLICE = 64 * 1024;

	/**
	 * The most slices sent in one turn of the I/O thread: a client that reads as fast as the
	 * server writes keeps the connection writable, and other connections of the loop must get
	 * their turn (the loop's watchdog reports a handler busy for a second).
	 */
	static final int SLICES_PER_TURN = 16;

	private static final byte[] CRLF = { '\r', '\n' };

	private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

	/** Whether each slice is framed as a chunk (RFC 9112 §7.1); otherwise raw (Content-Length or close-delimited). */
	private final boolean chunked;

	/**
	 * Chunks up to this size go out as one write of header, data and CRLF, copied into
	 * {@link #framed}: a write is a syscall on a plain connection and a record (22 bytes of
	 * overhead, one AEAD pass) over TLS, so three per small chunk would cost more than the copy.
	 * Larger chunks go out as three writes without copying their data.
	 */
	static final int COALESCED_CHUNK = 4096;

	/** Hex size, CRLF: reused for every chunk header. */
	private final ByteBuffer chunkHeader;

	/** Header, data and CRLF of a small chunk: made on the first one, reused for the next. */
	private ByteBuffer framed;

	/** Runs {@link #send} again on the I/O thread. */
	private Runnable ready;

	HttpBodyWriter(boolean chunked) {
		this.chunked = chunked;
		this.chunkHeader = chunked ? ByteBuffer.allocate(10) : null;
	}

	/** Yields the I/O thread to other connections after a turn's worth of slices; {@code ready} goes on. */
	final void yieldTurn(Connection connection) {
		connection.execute(this.ready);
	}

	/**
	 * The writer for {@code response}'s body.
	 * @param response a response whose header section was encoded with a body to follow
	 * @param chunked whether to frame the body as chunks
	 * @param readers where streams and files are read
	 * @param chunkProducers where a chunk iterator runs when it may block (a listener whose handlers
	 * run on an executor), or {@code null} to iterate on the I/O thread
	 * @param ready run on the I/O thread once a slice read on {@code readers} waits to be sent
	 */
	static HttpBodyWriter of(HttpResponse response, boolean chunked, Executor readers, Executor chunkProducers,
			Connection connection, Runnable ready) {
		if (response.stream() != null) {
			InputStream in = response.stream();
			return new ReadBody(chunked, response.knownLength(), in::read, in, readers, connection, ready);
		}
		if (response.chunks() != null && chunkProducers != null) {
			// A blocking listener's iterator may block like its handler (a cursor, a remote page):
			// it runs on the handler's executor, a slice ahead of the socket, never on the I/O thread.
			ChunkSource chunks = new ChunkSource(response.chunks());
			return new ReadBody(chunked, response.knownLength(), chunks, chunks, chunkProducers, connection, ready);
		}
		if (response.file() != null) {
			return new FileBody(response.file(), response.knownLength(), ready);
		}
		HttpBodyWriter writer = (response.chunks() != null)
				? new ChunksBody(chunked, response.chunks().iterator()) : new ArrayBody(response.body());
		writer.ready = ready;
		return writer;
	}

	/**
	 * Hands the connection what it can take now. Loop thread.
	 * @return {@code true} once the whole body is handed over; otherwise it goes on when the
	 * connection is writable again, or (for a stream) when {@code ready} runs
	 * @throws RuntimeException when the source failed: the response cannot be completed
	 */
	abstract boolean send(Connection connection);

	/** Closes the source (stream, file); idempotent, from any thread. */
	void release() {
	}

	final void writeSlice(Connection connection, ByteBuffer slice) {
		if (!this.chunked) {
			connection.write(slice);
			return;
		}
		int size = slice.remaining();
		ByteBuffer header = this.chunkHeader.clear();
		int digits = Math.max(1, (32 - Integer.numberOfLeadingZeros(size) + 3) / 4);
		for (int i = digits - 1; i >= 0; i--) {
			header.put(HEX[(size >>> (i * 4)) & 0xf]);
		}
		header.put(CRLF).flip();
		if (size <= COALESCED_CHUNK) {
			if (this.framed == null) {
				this.framed = ByteBuffer.allocate(header.capacity() + COALESCED_CHUNK + CRLF.length);
			}
			// The connection copies what the socket does not take, so the buffer is ours again at once.
			connection.write(this.framed.clear().put(header).put(slice).put(CRLF).flip());
			return;
		}
		connection.write(header);
		connection.write(slice);
		connection.write(CRLF);
	}

	final void finish(Connection connection) {
		if (this.chunked) {
			connection.write(LAST_CHUNK);
		}
	}

	/** A body given as one array: sent in slices, not copied into the encoder. */
	private static final class ArrayBody extends HttpBodyWriter {

		private final byte[] body;

		private int sent;

		ArrayBody(byte[] body) {
			super(false);
			this.body = body;
		}

		@Override
		boolean send(Connection connection) {
			int slices = 0;
			while (this.sent < this.body.length && connection.isWritable()) {
				if (++slices > SLICES_PER_TURN) {
					yieldTurn(connection);
					return false;
				}
				int n = Math.min(SLICE, this.body.length - this.sent);
				connection.write(ByteBuffer.wrap(this.body, this.sent, n));
				this.sent += n;
			}
			return this.sent == this.body.length;
		}

	}

	/**
	 * Chunks the handler produces as they are asked for: iterated on the I/O thread while
	 * writable; a chunk larger than a slice goes out a slice at a time like an array body.
	 */
	private static final class ChunksBody extends HttpBodyWriter {

		private static final byte[] NONE = new byte[0];

		private final Iterator<byte[]> chunks;

		private byte[] current = NONE;

		private int offset;

		ChunksBody(boolean chunked, Iterator<byte[]> chunks) {
			super(chunked);
			this.chunks = chunks;
		}

		@Override
		boolean send(Connection connection) {
			int slices = 0;
			while (connection.isWritable()) {
				if (++slices > SLICES_PER_TURN) {
					yieldTurn(connection);
					return false;
				}
				if (this.offset == this.current.length) {
					if (!this.chunks.hasNext()) {
						finish(connection);
						return true;
					}
					this.current = this.chunks.next();
					this.offset = 0;
					continue; // an empty chunk would end the body (RFC 9112 §7.1): skipped
				}
				int n = Math.min(SLICE, this.current.length - this.offset);
				writeSlice(connection, ByteBuffer.wrap(this.current, this.offset, n));
				this.offset += n;
			}
			return false;
		}

		@Override
		void release() {
			try {
				closeIfCloseable(this.chunks);
			}
			catch (Exception ex) {
				System.getLogger(HttpBodyWriter.class.getName()).log(Level.DEBUG, "Closing a chunk iterator failed", ex);
			}
		}

	}

	/**
	 * A file, always sent with its length: handed to the connection as a region, which reads it
	 * as the peer takes it ({@code transferTo} from the page cache on a plain listener, read and
	 * encrypted on a TLS one).
	 */
	private static final class FileBody extends HttpBodyWriter {

		private final FileChannel file;

		private final long length;

		private final Runnable ready;

		private boolean started;

		private boolean sent;

		private Throwable failure;

		FileBody(FileChannel file, long length, Runnable ready) {
			super(false);
			this.file = file;
			this.length = length;
			this.ready = ready;
		}

		@Override
		boolean send(Connection connection) {
			if (!this.started) {
				this.started = true;
				// Completed on the I/O thread, possibly within this call.
				connection.sendFile(this.file, 0, this.length).whenComplete((done, error) -> {
					this.failure = error;
					this.sent = error == null;
					this.ready.run();
				});
			}
			if (this.failure != null) {
				throw new IllegalStateException("Sending the file failed", this.failure);
			}
			return this.sent;
		}

		@Override
		void release() {
			try {
				this.file.close();
			}
			catch (IOException ex) {
				// Read-only: nothing is lost.
				System.getLogger(HttpBodyWriter.class.getName()).log(Level.DEBUG, "Closing a file body failed", ex);
			}
		}

	}

	/** Reads a slice into an array; -1 at the end. */
	@FunctionalInterface
	interface Source {

		int read(byte[] buffer, int offset, int length) throws IOException;

	}

	/**
	 * Chunks read like a stream: the pieces' bytes in order, then the end (-1). The iterator is
	 * made at the first read, on the reading thread: making it may already block (a cursor).
	 */
	private static final class ChunkSource implements Source, AutoCloseable {

		private final Iterable<byte[]> iterable;

		private Iterator<byte[]> chunks;

		private byte[] current;

		private int offset;

		ChunkSource(Iterable<byte[]> iterable) {
			this.iterable = iterable;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			if (this.chunks == null) {
				this.chunks = this.iterable.iterator();
			}
			while (this.current == null || this.offset == this.current.length) {
				if (!this.chunks.hasNext()) {
					return -1;
				}
				this.current = this.chunks.next();
				this.offset = 0;
				if (this.current == null) {
					throw new IllegalStateException("A chunk iterator returned null");
				}
			}
			int n = Math.min(length, this.current.length - this.offset);
			System.arraycopy(this.current, this.offset, buffer, offset, n);
			this.offset += n;
			return n;
		}

		/** Never concurrently with {@link #read}: {@code ReadBody} closes between reads. */
		@Override
		public void close() throws Exception {
			if (this.chunks != null) {
				closeIfCloseable(this.chunks);
			}
		}

	}

	private static void closeIfCloseable(Iterator<byte[]> chunks) throws Exception {
		if (chunks instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	/**
	 * A stream or a file: each slice is read on the executor into the one buffer of this body,
	 * then sent on the I/O thread (the connection copies what the socket does not take, so the
	 * buffer is free again when {@code write} returns); the next read starts only while the
	 * connection is writable.
	 */
	private static final class ReadBody extends HttpBodyWriter {

		private static final System.Logger log = System.getLogger(HttpBodyWriter.class.getName());

		private final long length;

		private final Source source;

		private final AutoCloseable closeable;

		private final Executor readers;

		private final Connection connection;

		private final Runnable ready;

		private final byte[] buffer;

		private long sent;

		/** A read is under way on the executor. */
		private boolean reading;

		/** Bytes read into the buffer, not sent yet; -1 at the end of the source. Written by the reader before {@code ready} is executed. */
		private volatile int filled;

		private volatile IOException failure;

		private volatile boolean released;

		/**
		 * Set on the I/O thread before a read is handed to the executor, cleared by the reader
		 * once the source has returned: a chunk iterator is closed only between reads, by
		 * whichever of release and reader comes last.
		 */
		private volatile boolean readInFlight;

		private final java.util.concurrent.atomic.AtomicBoolean sourceClosed = new java.util.concurrent.atomic.AtomicBoolean();

		ReadBody(boolean chunked, long length, Source source, AutoCloseable closeable, Executor readers,
				Connection connection, Runnable ready) {
			super(chunked);
			this.length = length;
			this.source = source;
			this.closeable = closeable;
			this.readers = readers;
			this.connection = connection;
			this.ready = ready;
			this.buffer = new byte[(length >= 0) ? (int) Math.min(SLICE, Math.max(length, 1)) : SLICE];
		}

		@Override
		boolean send(Connection connection) {
			if (this.reading) {
				return false; // ready runs when the slice is in
			}
			if (this.failure != null) {
				throw new IllegalStateException("Reading the response body failed", this.failure);
			}
			int n = this.filled;
			if (n > 0) {
				this.filled = 0;
				writeSlice(connection, ByteBuffer.wrap(this.buffer, 0, n));
				this.sent += n;
			}
			boolean complete = (this.length >= 0) ? this.sent == this.length : n < 0;
			if (complete) {
				finish(connection);
				return true;
			}
			if (n < 0) {
				// RFC 9112 §6.3: a body shorter than its Content-Length is incomplete; only a close tells the client.
				throw new IllegalStateException("The response body ended after " + this.sent + " of " + this.length
						+ " bytes");
			}
			if (connection.isWritable()) {
				startRead();
			}
			return false;
		}

		private void startRead() {
			this.reading = true;
			this.readInFlight = true;
			int want = (this.length >= 0) ? (int) Math.min(this.buffer.length, this.length - this.sent)
					: this.buffer.length;
			try {
				this.readers.execute(() -> read(want));
			}
			catch (RejectedExecutionException ex) {
				this.reading = false;
				this.readInFlight = false;
				throw new IllegalStateException("No thread to read the response body", ex);
			}
		}

		/** On the executor. */
		private void read(int want) {
			try {
				if (!this.released) {
					int n = this.source.read(this.buffer, 0, want);
					this.filled = (n == 0) ? 0 : n; // 0 from a non-blocking source: read again
				}
			}
			catch (IOException ex) {
				this.failure = ex;
			}
			catch (RuntimeException | Error ex) {
				// A chunk iterator's failure: the I/O thread must still hear of it (below), or the
				// response would hang with no timeout to end it.
				this.failure = new IOException(ex);
				if (ex instanceof Error error) {
					handBack();
					throw error;
				}
			}
			handBack();
		}

		/** On the executor, after a read: the I/O thread goes on; a body released meanwhile is closed now. */
		private void handBack() {
			this.readInFlight = false;
			if (this.released) {
				closeSource();
			}
			this.connection.execute(() -> {
				this.reading = false;
				this.ready.run();
			});
		}

		@Override
		void release() {
			this.released = true;
			// A stream is closed at once: that is how a read blocked on it (a socket) is ended. An
			// iterator (a cursor) need not be thread-safe: the reader closes it once its read returned.
			if (!(this.source instanceof ChunkSource)) {
				closeSource();
			}
			else if (!this.readInFlight) {
				// Closing a cursor may block too: where it was read, not on the I/O thread.
				try {
					this.readers.execute(this::closeSource);
				}
				catch (RejectedExecutionException ex) {
					closeSource();
				}
			}
		}

		private void closeSource() {
			if (this.sourceClosed.compareAndSet(false, true)) {
				try {
					this.closeable.close();
				}
				catch (Exception ex) {
					log.log(Level.DEBUG, "Closing a response body source failed", ex);
				}
			}
		}

	}

}
