package io.github.tcpserver.protocol.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An ordered multimap of header fields with case-insensitive names (RFC 9110 §5.1). Backed by two
 * parallel arrays, so a request with a dozen fields costs two small arrays and their strings.
 */
public final class HttpHeaders {

	private String[] names;

	private String[] values;

	private int size;

	public HttpHeaders() {
		this(8);
	}

	HttpHeaders(int capacity) {
		this.names = new String[capacity];
		this.values = new String[capacity];
	}

	/**
	 * Appends a field; an existing field of the same name is kept (RFC 9110 §5.3: repeated
	 * fields are one list).
	 * @param name the field name
	 * @param value the field value
	 * @return this
	 */
	public HttpHeaders add(String name, String value) {
		if (this.size == this.names.length) {
			this.names = Arrays.copyOf(this.names, this.size * 2);
			this.values = Arrays.copyOf(this.values, this.size * 2);
		}
		this.names[this.size] = name;
		this.values[this.size] = value;
		this.size++;
		return this;
	}

	/**
	 * Replaces every field named {@code name} with one field.
	 * @param name the field name
	 * @param value the field value
	 * @return this
	 */
	public HttpHeaders set(String name, String value) {
		remove(name);
		return add(name, value);
	}

	/**
	 * Removes every field named {@code name}.
	 * @param name the field name
	 * @return whether any was removed
	 */
	public boolean remove(String name) {
		int kept = 0;
		for (int i = 0; i < this.size; i++) {
			if (!this.names[i].equalsIgnoreCase(name)) {
				this.names[kept] = this.names[i];
				this.values[kept] = this.values[i];
				kept++;
			}
		}
		boolean removed = kept != this.size;
		Arrays.fill(this.names, kept, this.size, null);
		Arrays.fill(this.values, kept, this.size, null);
		this.size = kept;
		return removed;
	}

	/**
	 * @param name the field name, in any case
	 * @return the value of the first field so named, or {@code null}
	 */
	public String get(String name) {
		for (int i = 0; i < this.size; i++) {
			if (this.names[i].equalsIgnoreCase(name)) {
				return this.values[i];
			}
		}
		return null;
	}

	/**
	 * @param name the field name, in any case
	 * @return the values of every field so named, in order
	 */
	public List<String> getAll(String name) {
		List<String> all = new ArrayList<>(2);
		for (int i = 0; i < this.size; i++) {
			if (this.names[i].equalsIgnoreCase(name)) {
				all.add(this.values[i]);
			}
		}
		return all;
	}

	/**
	 * @param name the field name, in any case
	 * @return whether a field so named is present
	 */
	public boolean contains(String name) {
		return get(name) != null;
	}

	/**
	 * Whether a list-valued field (RFC 9110 §5.6.1) carries {@code token}, compared ignoring
	 * case, in any of its fields: {@code Connection: keep-alive, Upgrade} contains "upgrade".
	 * @param name the field name
	 * @param token the token
	 * @return whether it is listed
	 */
	public boolean containsToken(String name, String token) {
		for (int i = 0; i < this.size; i++) {
			if (this.names[i].equalsIgnoreCase(name) && listContains(this.values[i], token)) {
				return true;
			}
		}
		return false;
	}

	static boolean listContains(String list, String token) {
		int length = list.length();
		int start = 0;
		while (start < length) {
			int end = list.indexOf(',', start);
			if (end < 0) {
				end = length;
			}
			int from = start;
			int to = end;
			while (from < to && isWhitespace(list.charAt(from))) {
				from++;
			}
			while (to > from && isWhitespace(list.charAt(to - 1))) {
				to--;
			}
			if (to - from == token.length() && list.regionMatches(true, from, token, 0, token.length())) {
				return true;
			}
			start = end + 1;
		}
		return false;
	}

	private static boolean isWhitespace(char c) {
		return c == ' ' || c == '\t';
	}

	/** @return the number of fields */
	public int size() {
		return this.size;
	}

	/** @return whether there are no fields */
	public boolean isEmpty() {
		return this.size == 0;
	}

	/**
	 * @param index from 0 to {@link #size()} - 1
	 * @return the name of the field at {@code index}, as received
	 */
	public String name(int index) {
		return this.names[index];
	}

	/**
	 * @param index from 0 to {@link #size()} - 1
	 * @return the value of the field at {@code index}
	 */
	public String value(int index) {
		return this.values[index];
	}

	@Override
	public String toString() {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < this.size; i++) {
			text.append(this.names[i]).append(": ").append(this.values[i]).append('\n');
		}
		return text.toString();
	}

}
