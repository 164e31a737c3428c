package io.github.tcpserver.protocol.websocket;

/**
 * Checks UTF-8 (RFC 3629 §4) a byte at a time, so a text message split over frames and reads is
 * refused at its first bad byte (RFC 6455 §8.1: fail fast with 1007) without keeping its bytes
 * twice. Refuses overlong forms, surrogates, code points above U+10FFFF and a sequence cut by the
 * end of the message.
 */
final class Utf8Validator {

	/** Continuation bytes still expected for the current sequence. */
	private int needed;

	/** Bounds of the next continuation byte (the second byte of a sequence is narrower). */
	private int min = 0x80;

	private int max = 0xBF;

	/**
	 * @param b the next byte
	 * @return whether the bytes so far are a prefix of some valid UTF-8
	 */
	boolean accept(byte b) {
		int value = b & 0xFF;
		if (this.needed > 0) {
			if (value < this.min || value > this.max) {
				return false;
			}
			this.needed--;
			this.min = 0x80;
			this.max = 0xBF;
			return true;
		}
		if (value < 0x80) {
			return true;
		}
		if (value >= 0xC2 && value <= 0xDF) {
			this.needed = 1;
		}
		else if (value >= 0xE0 && value <= 0xEF) {
			this.needed = 2;
			if (value == 0xE0) {
				this.min = 0xA0; // overlong below U+0800
			}
			else if (value == 0xED) {
				this.max = 0x9F; // UTF-16 surrogates
			}
		}
		else if (value >= 0xF0 && value <= 0xF4) {
			this.needed = 3;
			if (value == 0xF0) {
				this.min = 0x90; // overlong below U+10000
			}
			else if (value == 0xF4) {
				this.max = 0x8F; // above U+10FFFF
			}
		}
		else {
			return false; // a stray continuation byte, C0/C1 (overlong) or F5..FF
		}
		return true;
	}

	/** @return whether the bytes so far end on a sequence boundary */
	boolean isComplete() {
		return this.needed == 0;
	}

	void reset() {
		this.needed = 0;
		this.min = 0x80;
		this.max = 0xBF;
	}

}
