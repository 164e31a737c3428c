package io.github.tcpserver.protocol.http;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The {@code Date} header line every response carries (RFC 9110 §6.6.1), in IMF-fixdate form
 * (§5.6.7). Its bytes are cached and re-encoded at most once a second, by whichever thread first
 * notices the second has changed; other threads keep the previous, still correct to the second,
 * value.
 */
final class HttpDate {

	private static final String[] DAYS = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

	private static final String[] MONTHS = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
			"Nov", "Dec" };

	/** One immutable pair, so a reader never sees the bytes of one second with the stamp of another. */
	private record Cached(long second, byte[] line) {
	}

	private static volatile Cached cached = new Cached(Long.MIN_VALUE, new byte[0]);

	private HttpDate() {
	}

	/** @return {@code Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n} for now; the caller must not modify it */
	static byte[] headerLine() {
		long second = System.currentTimeMillis() / 1000;
		Cached current = cached;
		if (current.second != second) {
			current = new Cached(second, ("Date: " + format(second) + "\r\n").getBytes(StandardCharsets.US_ASCII));
			cached = current;
		}
		return current.line;
	}

	/** @return the IMF-fixdate of an epoch second: {@code Sun, 06 Nov 1994 08:49:37 GMT} */
	static String format(long epochSecond) {
		LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
		StringBuilder text = new StringBuilder(29);
		text.append(DAYS[t.getDayOfWeek().ordinal()]).append(", ");
		twoDigits(text, t.getDayOfMonth()).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ');
		text.append(t.getYear()).append(' ');
		twoDigits(text, t.getHour()).append(':');
		twoDigits(text, t.getMinute()).append(':');
		return twoDigits(text, t.getSecond()).append(" GMT").toString();
	}

	private static StringBuilder twoDigits(StringBuilder text, int value) {
		return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
	}

}
