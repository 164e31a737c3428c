package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes WebSocket frames (RFC 6455 §5.2): pure, each call returns a new buffer holding one whole
 * frame. A server's frames are unmasked (§5.1); the masked form is for clients and tests.
 */
public final class WebSocketFrameEncoder {

	/** §5.5: a Close payload is at most 125 bytes, two of them the code. */
	private static final int MAX_CLOSE_REASON = WebSocketFrameDecoder.MAX_CONTROL_PAYLOAD - 2;

	private WebSocketFrameEncoder() {
	}

	/** @return one unfragmented text frame holding {@code text} in UTF-8 */
	public static ByteBuffer text(String text) {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		return frame(WebSocketFrameDecoder.TEXT, true, payload, 0, payload.length, null);
	}

	/** @return one unfragmented binary frame holding the remaining bytes of {@code data} */
	public static ByteBuffer binary(ByteBuffer data) {
		byte[] payload = new byte[data.remaining()];
		data.get(payload);
		return frame(WebSocketFrameDecoder.BINARY, true, payload, 0, payload.length, null);
	}

	/** @return a Ping frame; {@code payload} is at most 125 bytes */
	public static ByteBuffer ping(byte[] payload) {
		return frame(WebSocketFrameDecoder.PING, true, payload, 0, payload.length, null);
	}

	/** @return the Pong frame answering a Ping of that payload (§5.5.3) */
	public static ByteBuffer pong(ByteBuffer payload) {
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		return frame(WebSocketFrameDecoder.PONG, true, bytes, 0, bytes.length, null);
	}

	/**
	 * @param code a status code that may be sent ({@link WebSocketCloseCodes#isSendable})
	 * @param reason why, cut to the 123 bytes a Close frame has room for, at a character boundary
	 * @return a Close frame
	 */
	public static ByteBuffer close(int code, String reason) {
		return frame(WebSocketFrameDecoder.CLOSE, true, closePayload(code, reason), 0, -1, null);
	}

	/** @return the payload of a Close frame: the code in network order, then the reason in UTF-8 */
	static byte[] closePayload(int code, String reason) {
		if (!WebSocketCloseCodes.isSendable(code)) {
			throw new IllegalArgumentException("Close code " + code + " may not be sent (RFC 6455 §7.4)");
		}
		byte[] text = reason.getBytes(StandardCharsets.UTF_8);
		int length = text.length;
		if (length > MAX_CLOSE_REASON) {
			length = MAX_CLOSE_REASON;
			while ((text[length] & 0xC0) == 0x80) {
				length--; // do not cut a UTF-8 sequence: the peer would fail us with 1007
			}
		}
		byte[] payload = new byte[2 + length];
		payload[0] = (byte) (code >> 8);
		payload[1] = (byte) code;
		System.arraycopy(text, 0, payload, 2, length);
		return payload;
	}

	/**
	 * @param opcode the opcode
	 * @param fin whether this is the last frame of its message
	 * @param payload the payload bytes
	 * @param offset where they start
	 * @param length how many, or -1 for all from {@code offset}
	 * @param maskKey the 4-byte masking key of a client frame, or {@code null} for a server frame
	 * @return the frame
	 */
	public static ByteBuffer frame(int opcode, boolean fin, byte[] payload, int offset, int length, byte[] maskKey) {
		return frame(opcode, fin, false, payload, offset, length, maskKey);
	}

	/**
	 * @param opcode the opcode
	 * @param fin whether this is the last frame of its message
	 * @param compressed whether to set RSV1: the first frame of a permessage-deflate message (RFC 7692 §6)
	 * @param payload the payload bytes
	 * @param offset where they start
	 * @param length how many, or -1 for all from {@code offset}
	 * @param maskKey the 4-byte masking key of a client frame, or {@code null} for a server frame
	 * @return the frame
	 */
	public static ByteBuffer frame(int opcode, boolean fin, boolean compressed, byte[] payload, int offset, int length,
			byte[] maskKey) {
		int size = (length < 0) ? payload.length - offset : length;
		int lengthBytes = (size < 126) ? 0 : (size <= 0xFFFF) ? 2 : 8;
		ByteBuffer frame = ByteBuffer.allocate(2 + lengthBytes + ((maskKey != null) ? 4 : 0) + size);
		frame.put((byte) ((fin ? 0x80 : 0) | (compressed ? 0x40 : 0) | (opcode & 0x0F)));
		int maskBit = (maskKey != null) ? 0x80 : 0;
		if (lengthBytes == 0) {
			frame.put((byte) (maskBit | size));
		}
		else if (lengthBytes == 2) {
			frame.put((byte) (maskBit | 126)).putShort((short) size);
		}
		else {
			frame.put((byte) (maskBit | 127)).putLong(size);
		}
		if (maskKey != null) {
			frame.put(maskKey, 0, 4);
			for (int i = 0; i < size; i++) {
				frame.put((byte) (payload[offset + i] ^ maskKey[i & 3]));
			}
		}
		else {
			frame.put(payload, offset, size);
		}
		return frame.flip();
	}

}
