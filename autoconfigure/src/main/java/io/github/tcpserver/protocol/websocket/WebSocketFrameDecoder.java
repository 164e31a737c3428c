package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Cuts WebSocket frames (RFC 6455 §5.2) from a byte stream and reassembles them into messages:
 * pure, no sockets, one decoder per connection. Bytes may arrive split anywhere; the result does
 * not depend on where. Every rule broken ends decoding with a {@link WebSocketProtocolException}
 * that carries the close code to answer with (1002, 1007, 1009); after it, or after a Close
 * frame, the rest of the input is ignored.
 * <p>
 * Memory: a message buffer grows with the bytes that actually arrive, up to
 * {@code maxMessageSize}, never from the length a header declares, so a peer announcing a huge
 * frame and sending nothing costs nothing. Control payloads go to a fixed 125-byte array, so a ping
 * between two fragments leaves the message being assembled alone (§5.4). With permessage-deflate
 * (RFC 7692) a compressed message is inflated only up to {@code maxMessageSize}, so a small
 * message that inflates to gigabytes (a decompression bomb) fails with 1009 at the limit.
 */
public final class WebSocketFrameDecoder {

	/** Opcodes of RFC 6455 §5.2 (§11.8). */
	static final int CONTINUATION = 0x0;

	static final int TEXT = 0x1;

	static final int BINARY = 0x2;

	static final int CLOSE = 0x8;

	static final int PING = 0x9;

	static final int PONG = 0xA;

	/** §5.5: every control frame payload is 125 bytes or less. */
	static final int MAX_CONTROL_PAYLOAD = 125;

	private static final int INITIAL_MESSAGE_CAPACITY = 256;

	/** A message buffer grown past this is dropped after its message, so idle connections stay small. */
	private static final int RETAINED_MESSAGE_CAPACITY = 64 * 1024;

	/** What the decoder hands out, in order of arrival. Payload buffers are valid only during the call. */
	public interface Sink {

		/** A whole text message, UTF-8 checked. */
		void onText(String text);

		/** A whole binary message; the buffer is the decoder's and valid only during this call. */
		void onBinary(ByteBuffer data);

		/** A Ping (§5.5.2); the payload is valid only during this call. */
		void onPing(ByteBuffer payload);

		/** A Pong (§5.5.3); the payload is valid only during this call. */
		void onPong(ByteBuffer payload);

		/**
		 * A Close frame (§5.5.1); nothing after it is decoded.
		 * @param code its status code, or {@link WebSocketCloseCodes#NO_STATUS} when it had none
		 * @param reason its reason, empty when none
		 */
		void onClose(int code, String reason);

	}

	private enum State {

		/** The two fixed header bytes (§5.2). */
		HEADER,
		/** The 16- or 64-bit extended payload length. */
		LENGTH,
		/** The 4-byte masking key (§5.3). */
		MASK,
		/** Payload bytes. */
		PAYLOAD,
		/** After a Close frame or an error: input is ignored. */
		DONE

	}

	private final int maxFrameSize;

	private final int maxMessageSize;

	private final boolean expectMasked;

	private State state = State.HEADER;

	/** The bytes of the header field being read (fixed header or extended length). */
	private final byte[] header = new byte[8];

	private int headerFill;

	private int headerNeeded;

	private boolean fin;

	private int opcode;

	private boolean masked;

	private final byte[] mask = new byte[4];

	private long frameRemaining;

	private int maskIndex;

	private final byte[] control = new byte[MAX_CONTROL_PAYLOAD];

	private int controlLength;

	/** The opcode of the message being assembled (TEXT or BINARY), 0 between messages. */
	private int messageOpcode;

	private byte[] message;

	private int messageLength;

	private final Utf8Validator utf8 = new Utf8Validator();

	/** Whether permessage-deflate was agreed: RSV1 on a message's first frame means compressed. */
	private final boolean perMessageDeflate;

	/** client_no_context_takeover: every compressed message starts with a fresh window. */
	private final boolean resetInflaterPerMessage;

	/** Made at the first compressed message; holds the client's 32 KiB window between messages. */
	private Inflater inflater;

	private boolean messageCompressed;

	private byte[] inflated;

	/** Tells, once the inflated message fills its limit, whether more would come out. */
	private final byte[] probe = new byte[1];

	/**
	 * @param maxFrameSize largest payload of one data frame; larger fails with 1009
	 * @param maxMessageSize largest message, all its fragments together; larger fails with 1009
	 * @param expectMasked {@code true} on a server: every client frame must be masked (§5.1), an
	 * unmasked one fails with 1002; {@code false} on a client: a masked server frame fails
	 */
	public WebSocketFrameDecoder(int maxFrameSize, int maxMessageSize, boolean expectMasked) {
		this(maxFrameSize, maxMessageSize, expectMasked, false, false);
	}

	/**
	 * @param maxFrameSize largest payload of one data frame; larger fails with 1009
	 * @param maxMessageSize largest message, compressed or inflated; larger fails with 1009
	 * @param expectMasked {@code true} on a server, see {@link #WebSocketFrameDecoder(int, int, boolean)}
	 * @param perMessageDeflate whether permessage-deflate was agreed (RFC 7692)
	 * @param resetInflaterPerMessage whether the peer agreed to compress every message afresh
	 * ({@code client_no_context_takeover} on a server)
	 */
	public WebSocketFrameDecoder(int maxFrameSize, int maxMessageSize, boolean expectMasked, boolean perMessageDeflate,
			boolean resetInflaterPerMessage) {
		this.perMessageDeflate = perMessageDeflate;
		this.resetInflaterPerMessage = resetInflaterPerMessage;
		if (maxFrameSize < 1 || maxMessageSize < 1) {
			throw new IllegalArgumentException("Frame and message limits must be positive but were " + maxFrameSize
					+ " and " + maxMessageSize);
		}
		this.maxFrameSize = maxFrameSize;
		this.maxMessageSize = maxMessageSize;
		this.expectMasked = expectMasked;
	}

	/**
	 * Consumes every byte of {@code in} and passes each complete message and control frame to
	 * {@code sink}.
	 * @param in the bytes read; its position ends at its limit
	 * @param sink receives what was decoded
	 * @throws WebSocketProtocolException if the peer broke a rule or a limit
	 */
	public void decode(ByteBuffer in, Sink sink) {
		while (in.hasRemaining()) {
			switch (this.state) {
				case HEADER -> readHeader(in, sink);
				case LENGTH -> readLength(in, sink);
				case MASK -> readMask(in, sink);
				case PAYLOAD -> readPayload(in, sink);
				case DONE -> in.position(in.limit());
			}
		}
	}

	/** @return whether a Close frame was decoded or decoding failed: input is ignored from now on */
	public boolean isDone() {
		return this.state == State.DONE;
	}

	/** Forgets a grown message buffer (the connection closed). */
	public void release() {
		this.message = null;
		this.inflated = null;
		if (this.inflater != null) {
			this.inflater.end(); // its native memory, now rather than when collected
			this.inflater = null;
		}
		this.state = State.DONE;
	}

	private void readHeader(ByteBuffer in, Sink sink) {
		this.header[this.headerFill++] = in.get();
		if (this.headerFill < 2) {
			return;
		}
		this.headerFill = 0;
		int b0 = this.header[0] & 0xFF;
		int b1 = this.header[1] & 0xFF;
		this.fin = (b0 & 0x80) != 0;
		this.opcode = b0 & 0x0F;
		boolean rsv1 = (b0 & 0x40) != 0;
		if ((b0 & 0x30) != 0 || (rsv1 && !this.perMessageDeflate)) {
			throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "RSV bits set without a negotiated extension (§5.2)");
		}
		if (rsv1 && this.opcode != TEXT && this.opcode != BINARY) {
			// RFC 7692 §6.1: only the first frame of a data message says it is compressed.
			throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "RSV1 on a control or continuation frame (RFC 7692 §6.1)");
		}
		switch (this.opcode) {
			case CONTINUATION -> {
				if (this.messageOpcode == 0) {
					throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "Continuation frame without a message to continue (§5.4)");
				}
			}
			case TEXT, BINARY -> {
				if (this.messageOpcode != 0) {
					throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "New data frame inside a fragmented message (§5.4)");
				}
				this.messageOpcode = this.opcode;
				this.messageCompressed = rsv1;
			}
			case CLOSE, PING, PONG -> {
				if (!this.fin) {
					throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "Fragmented control frame (§5.5)");
				}
			}
			default -> throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "Reserved opcode 0x" + Integer.toHexString(this.opcode)
					+ " (§5.2)");
		}
		this.masked = (b1 & 0x80) != 0;
		if (this.masked != this.expectMasked) {
			throw fail(WebSocketCloseCodes.PROTOCOL_ERROR,
					this.expectMasked ? "Unmasked client frame (§5.1)" : "Masked server frame (§5.1)");
		}
		int length = b1 & 0x7F;
		if (isControl() && length > MAX_CONTROL_PAYLOAD) {
			throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "Control frame payload over 125 bytes (§5.5)");
		}
		if (length == 126 || length == 127) {
			this.headerNeeded = (length == 126) ? 2 : 8;
			this.state = State.LENGTH;
			return;
		}
		lengthKnown(length, sink);
	}

	private void readLength(ByteBuffer in, Sink sink) {
		this.header[this.headerFill++] = in.get();
		if (this.headerFill < this.headerNeeded) {
			return;
		}
		this.headerFill = 0;
		long length = 0;
		for (int i = 0; i < this.headerNeeded; i++) {
			length = (length << 8) | (this.header[i] & 0xFF);
		}
		// §5.2: the most significant bit of a 64-bit length is 0, and the minimal encoding is used.
		if (length < 0) {
			throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "64-bit payload length with its top bit set (§5.2)");
		}
		if (length < ((this.headerNeeded == 2) ? 126 : 65536)) {
			throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "Payload length " + length + " not in its minimal encoding (§5.2)");
		}
		lengthKnown(length, sink);
	}

	/** The declared length is only compared with the limits here; nothing is sized from it. */
	private void lengthKnown(long length, Sink sink) {
		if (!isControl()) {
			if (length > this.maxFrameSize) {
				throw fail(WebSocketCloseCodes.MESSAGE_TOO_BIG,
						"Frame of " + length + " bytes over the limit of " + this.maxFrameSize);
			}
			if (this.messageLength + length > this.maxMessageSize) {
				throw fail(WebSocketCloseCodes.MESSAGE_TOO_BIG,
						"Message of " + (this.messageLength + length) + " bytes or more over the limit of " + this.maxMessageSize);
			}
		}
		this.frameRemaining = length;
		this.controlLength = 0;
		this.maskIndex = 0;
		if (this.masked) {
			this.state = State.MASK;
		}
		else if (length == 0) {
			frameComplete(sink);
		}
		else {
			this.state = State.PAYLOAD;
		}
	}

	private void readMask(ByteBuffer in, Sink sink) {
		this.mask[this.headerFill++] = in.get();
		if (this.headerFill < 4) {
			return;
		}
		this.headerFill = 0;
		if (this.frameRemaining == 0) {
			frameComplete(sink);
		}
		else {
			this.state = State.PAYLOAD;
		}
	}

	private void readPayload(ByteBuffer in, Sink sink) {
		int n = (int) Math.min(in.remaining(), this.frameRemaining);
		byte[] target;
		int offset;
		if (isControl()) {
			target = this.control;
			offset = this.controlLength;
			this.controlLength += n;
		}
		else {
			ensureMessageCapacity(this.messageLength + n);
			target = this.message;
			offset = this.messageLength;
			this.messageLength += n;
		}
		in.get(target, offset, n);
		if (this.masked) {
			for (int i = offset; i < offset + n; i++) {
				target[i] ^= this.mask[this.maskIndex++ & 3];
			}
		}
		if (!isControl() && this.messageOpcode == TEXT && !this.messageCompressed) {
			for (int i = offset; i < offset + n; i++) {
				if (!this.utf8.accept(target[i])) {
					throw fail(WebSocketCloseCodes.INVALID_PAYLOAD,
							"Invalid UTF-8 at byte " + i + " of a text message (§8.1)");
				}
			}
		}
		this.frameRemaining -= n;
		if (this.frameRemaining == 0) {
			frameComplete(sink);
		}
	}

	private void frameComplete(Sink sink) {
		this.state = State.HEADER;
		switch (this.opcode) {
			case PING -> sink.onPing(ByteBuffer.wrap(this.control, 0, this.controlLength));
			case PONG -> sink.onPong(ByteBuffer.wrap(this.control, 0, this.controlLength));
			case CLOSE -> closeFrame(sink);
			default -> {
				if (this.fin) {
					messageComplete(sink);
				}
			}
		}
	}

	private void closeFrame(Sink sink) {
		int code = WebSocketCloseCodes.NO_STATUS;
		String reason = "";
		if (this.controlLength == 1) {
			throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "Close frame with a 1-byte payload (§5.5.1)");
		}
		if (this.controlLength >= 2) {
			code = ((this.control[0] & 0xFF) << 8) | (this.control[1] & 0xFF);
			if (!WebSocketCloseCodes.isSendable(code)) {
				throw fail(WebSocketCloseCodes.PROTOCOL_ERROR, "Close code " + code + " may not be sent (§7.4)");
			}
			Utf8Validator reasonCheck = new Utf8Validator();
			for (int i = 2; i < this.controlLength; i++) {
				if (!reasonCheck.accept(this.control[i])) {
					throw fail(WebSocketCloseCodes.INVALID_PAYLOAD, "Close reason not valid UTF-8 (§5.5.1)");
				}
			}
			if (!reasonCheck.isComplete()) {
				throw fail(WebSocketCloseCodes.INVALID_PAYLOAD, "Close reason not valid UTF-8 (§5.5.1)");
			}
			reason = new String(this.control, 2, this.controlLength - 2, StandardCharsets.UTF_8);
		}
		this.state = State.DONE;
		sink.onClose(code, reason);
	}

	private void messageComplete(Sink sink) {
		int opcode = this.messageOpcode;
		int length = this.messageLength;
		this.messageOpcode = 0;
		this.messageLength = 0;
		byte[] bytes = this.message;
		if (this.messageCompressed) {
			this.messageCompressed = false;
			length = inflate(length);
			bytes = this.inflated;
			if (opcode == TEXT) {
				for (int i = 0; i < length; i++) {
					if (!this.utf8.accept(bytes[i])) {
						throw fail(WebSocketCloseCodes.INVALID_PAYLOAD, "Invalid UTF-8 at byte " + i + " of a text message (§8.1)");
					}
				}
			}
		}
		if (opcode == TEXT) {
			if (!this.utf8.isComplete()) {
				throw fail(WebSocketCloseCodes.INVALID_PAYLOAD, "Text message ends inside a UTF-8 sequence (§8.1)");
			}
			this.utf8.reset();
			String text = (length == 0) ? "" : new String(bytes, 0, length, StandardCharsets.UTF_8);
			shrink();
			sink.onText(text);
		}
		else {
			ByteBuffer data = (length == 0) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(bytes, 0, length);
			sink.onBinary(data);
			shrink();
		}
	}

	/**
	 * Inflates the compressed message (RFC 7692 §7.2.2: its bytes, then the 4-byte tail the sender
	 * removed) into {@link #inflated}, which grows with the output up to the message limit.
	 * @return the inflated length
	 */
	private int inflate(int compressedLength) {
		if (this.inflater == null) {
			this.inflater = new Inflater(true);
		}
		Inflater inflater = this.inflater;
		int length = 0;
		try {
			for (byte[] input : new byte[][] { (compressedLength == 0) ? null : this.message, PerMessageDeflate.TAIL }) {
				if (input == null) {
					continue;
				}
				inflater.setInput(input, 0, (input == PerMessageDeflate.TAIL) ? input.length : compressedLength);
				while (!inflater.needsInput()) {
					if (this.inflated == null || length == this.inflated.length) {
						if (length == this.maxMessageSize) {
							if (inflater.inflate(this.probe) == 0) {
								break; // exactly at the limit: nothing more came out
							}
							throw fail(WebSocketCloseCodes.MESSAGE_TOO_BIG,
									"Compressed message inflating past the limit of " + this.maxMessageSize + " bytes");
						}
						int capacity = (this.inflated == null) ? INITIAL_MESSAGE_CAPACITY : this.inflated.length * 2;
						byte[] grown = new byte[Math.min(capacity, this.maxMessageSize)];
						if (this.inflated != null) {
							System.arraycopy(this.inflated, 0, grown, 0, length);
						}
						this.inflated = grown;
					}
					int n = inflater.inflate(this.inflated, length, this.inflated.length - length);
					length += n;
					if (n == 0 && (inflater.finished() || inflater.needsDictionary())) {
						break;
					}
				}
				if (inflater.finished()) {
					// A final block ends the stream: with context takeover the next message would
					// have no window to refer to, so the next one starts afresh.
					inflater.reset();
				}
			}
		}
		catch (DataFormatException ex) {
			throw fail(WebSocketCloseCodes.INVALID_PAYLOAD, "Compressed message is not valid DEFLATE data (RFC 7692 §6.2)");
		}
		if (this.resetInflaterPerMessage) {
			inflater.reset();
		}
		return length;
	}

	private void ensureMessageCapacity(int needed) {
		if (this.message == null || this.message.length < needed) {
			// Grows with the bytes received (doubling), capped by the message limit.
			int capacity = (this.message == null) ? INITIAL_MESSAGE_CAPACITY : this.message.length * 2;
			capacity = (int) Math.min(Math.max(capacity, needed), this.maxMessageSize);
			byte[] grown = new byte[capacity];
			if (this.message != null) {
				System.arraycopy(this.message, 0, grown, 0, this.messageLength);
			}
			this.message = grown;
		}
	}

	private void shrink() {
		if (this.message != null && this.message.length > RETAINED_MESSAGE_CAPACITY) {
			this.message = null;
		}
		if (this.inflated != null && this.inflated.length > RETAINED_MESSAGE_CAPACITY) {
			this.inflated = null;
		}
	}

	private boolean isControl() {
		return (this.opcode & 0x8) != 0;
	}

	private WebSocketProtocolException fail(int code, String message) {
		this.state = State.DONE;
		return new WebSocketProtocolException(code, message);
	}

}
