package io.github.tcpserver.protocol.websocket;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.Deflater;

/**
 * The permessage-deflate extension (RFC 7692): which client offer to accept, and the compression
 * of the server's messages. The server always sends {@code server_no_context_takeover} (§7.1.1.1
 * lets it), so compressing a message needs no per-session state: one {@link Deflater} per thread,
 * reset for every message. Inflating is the {@link WebSocketFrameDecoder}'s.
 */
final class PerMessageDeflate {

	static final String NAME = "permessage-deflate";

	/** §7.2.1: the tail a sync flush ends with, removed before sending and added back before inflating. */
	static final byte[] TAIL = { 0x00, 0x00, (byte) 0xFF, (byte) 0xFF };

	private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(
			Deflater.DEFAULT_COMPRESSION, true));

	/**
	 * What was agreed.
	 * @param response the {@code Sec-WebSocket-Extensions} value of the 101
	 * @param clientNoContextTakeover whether the client resets its compressor per message, so the
	 * server's inflater may be reset too
	 */
	record Agreement(String response, boolean clientNoContextTakeover) {
	}

	private PerMessageDeflate() {
	}

	/**
	 * Picks the first permessage-deflate offer this server can honour (§5.1): java.util.zip
	 * always compresses with a 32 KiB window, so an offer asking the server for a smaller one
	 * ({@code server_max_window_bits} below 15) is declined; so is one with an unknown, repeated
	 * or malformed parameter.
	 * @param fields the {@code Sec-WebSocket-Extensions} fields of the request
	 * @return the agreement, or {@code null} to use no extension
	 */
	static Agreement negotiate(List<String> fields) {
		for (String field : fields) {
			for (String offer : field.split(",")) {
				String[] parts = offer.split(";");
				if (!parts[0].strip().equalsIgnoreCase(NAME)) {
					continue;
				}
				Agreement agreement = accept(Arrays.copyOfRange(parts, 1, parts.length));
				if (agreement != null) {
					return agreement;
				}
			}
		}
		return null;
	}

	private static Agreement accept(String[] parameters) {
		Set<String> seen = new HashSet<>();
		boolean clientNoContextTakeover = false;
		for (String parameter : parameters) {
			int equals = parameter.indexOf('=');
			String name = ((equals < 0) ? parameter : parameter.substring(0, equals)).strip().toLowerCase(Locale.ROOT);
			String value = (equals < 0) ? null : parameter.substring(equals + 1).strip().replace("\"", "");
			if (!seen.add(name)) {
				return null; // §7.1: a repeated parameter makes the offer invalid
			}
			switch (name) {
				case "server_no_context_takeover" -> {
					if (value != null) {
						return null;
					}
				}
				case "client_no_context_takeover" -> {
					if (value != null) {
						return null;
					}
					clientNoContextTakeover = true;
				}
				case "server_max_window_bits" -> {
					if (!"15".equals(value)) {
						return null; // a smaller window than java.util.zip can promise
					}
				}
				case "client_max_window_bits" -> {
					if (value != null && !isWindowBits(value)) {
						return null; // without a value: the client may be limited; we do not need to (§7.1.2.2)
					}
				}
				default -> {
					return null;
				}
			}
		}
		return new Agreement(NAME + "; server_no_context_takeover"
				+ (clientNoContextTakeover ? "; client_no_context_takeover" : ""), clientNoContextTakeover);
	}

	private static boolean isWindowBits(String value) {
		return value.matches("\\d{1,2}") && Integer.parseInt(value) >= 8 && Integer.parseInt(value) <= 15;
	}

	/**
	 * @param payload a message's bytes
	 * @return them compressed as §7.2.1 says: a sync-flushed DEFLATE stream without its 4-byte tail
	 */
	static byte[] compress(byte[] payload) {
		Deflater deflater = DEFLATERS.get();
		deflater.reset(); // server_no_context_takeover: every message starts afresh
		deflater.setInput(payload);
		byte[] out = new byte[Math.max(64, payload.length / 2 + 16)];
		int length = 0;
		while (true) {
			length += deflater.deflate(out, length, out.length - length, Deflater.SYNC_FLUSH);
			if (length < out.length) {
				break; // the flush completed with room to spare: all input is out
			}
			out = Arrays.copyOf(out, out.length * 2);
		}
		// A sync flush always ends with the empty stored block 00 00 FF FF (§7.2.1).
		return Arrays.copyOf(out, length - TAIL.length);
	}

}
