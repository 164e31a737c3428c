package io.github.tcpserver.codec;

import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding for the text codecs. {@code new String(bytes, UTF_8)} silently replaces
 * malformed input with U+FFFD; a protocol must refuse it instead, so the bytes are checked
 * against RFC 3629 first (no allocation), then decoded.
 */
final class Utf8 {

	private Utf8() {
	}

	/**
	 * @return the text of {@code length} bytes of {@code bytes} from {@code offset}
	 * @throws CorruptedFrameException if they are not well-formed UTF-8
	 */
	static String decode(byte[] bytes, int offset, int length) {
		int invalidAt = firstInvalid(bytes, offset, length);
		if (invalidAt >= 0) {
			throw new CorruptedFrameException("Invalid UTF-8 at byte " + (invalidAt - offset) + " of " + length);
		}
		return new String(bytes, offset, length, StandardCharsets.UTF_8);
	}

	/**
	 * Checks the byte sequences of RFC 3629 section 4: no overlong forms, no surrogates
	 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence at the end.
	 * @return the index of the first byte of the first malformed sequence, or -1
	 */
	static int firstInvalid(byte[] bytes, int offset, int length) {
		int i = offset;
		int end = offset + length;
		while (i < end) {
			int b = bytes[i];
			if (b >= 0) {
				i++; // ASCII, the common case
				continue;
			}
			b &= 0xFF;
			int start = i;
			int need;
			int min = 0x80;
			int max = 0xBF;
			if (b >= 0xC2 && b <= 0xDF) {
				need = 1;
			}
			else if (b >= 0xE0 && b <= 0xEF) {
				need = 2;
				if (b == 0xE0) {
					min = 0xA0; // overlong below U+0800
				}
				else if (b == 0xED) {
					max = 0x9F; // surrogates
				}
			}
			else if (b >= 0xF0 && b <= 0xF4) {
				need = 3;
				if (b == 0xF0) {
					min = 0x90; // overlong below U+10000
				}
				else if (b == 0xF4) {
					max = 0x8F; // above U+10FFFF
				}
			}
			else {
				return start; // a continuation byte, 0xC0/0xC1 (overlong) or 0xF5..0xFF
			}
			if (end - i - 1 < need) {
				return start;
			}
			int second = bytes[i + 1] & 0xFF;
			if (second < min || second > max) {
				return start;
			}
			for (int k = 2; k <= need; k++) {
				if ((bytes[i + k] & 0xC0) != 0x80) {
					return start;
				}
			}
			i += need + 1;
		}
		return -1;
	}

}
