package io.github.tcpserver.protocol.chat;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The members of one chat room and the fan-out of their messages. Thread-safe: members live on
 * different I/O loops, and the application may call {@link #announce} or {@link #memberNames()}
 * from any thread. Several listeners (a line one, a length-prefixed one) may share one room.
 * <p>
 * A member whose unread output passes {@link #maxPendingOutput()} is disconnected, so one client
 * that stops reading holds neither the room nor unbounded memory.
 */
public final class ChatRoom {

	/**
	 * Default bound on a member's unread output. Chat lines are short: a megabyte is thousands of
	 * unread messages, a client that far behind is not coming back, and it is well below the
	 * reactor's per-connection hard cap (16 MiB by default), which would let every idle-but-open
	 * client of a busy room pin that much memory before anything happened.
	 */
	public static final long DEFAULT_MAX_PENDING_OUTPUT = 1024 * 1024;

	/** Names: 1 to 24 letters, digits, '_', '-' or '.'; no spaces, so {@code /msg NAME text} parses. */
	static final Pattern VALID_NAME = Pattern.compile("[\\p{L}\\p{N}_.-]{1,24}");

	/** The leave reason of a member that said /quit: the notice then gives no reason. */
	static final String QUIT = "";

	private static final System.Logger log = System.getLogger(ChatRoom.class.getName());

	/**
	 * Logged-in members by lower-case name: case-insensitive uniqueness comes from putIfAbsent. A
	 * member renaming itself is briefly under both names, so nothing iterates this map.
	 */
	private final ConcurrentHashMap<String, ChatMember> members = new ConcurrentHashMap<>();

	/** Logged-in members, each once, whatever the state of a rename: what broadcasts and /who walk. */
	private final Set<ChatMember> present = ConcurrentHashMap.newKeySet();

	private final ChatMessageFilter filter;

	private final long maxPendingOutput;

	private final LongAdder slowDisconnects = new LongAdder();

	private volatile boolean shuttingDown;

	/** A room that accepts every message, with the default bound on unread output. */
	public ChatRoom() {
		this(ChatMessageFilter.ACCEPT_ALL, DEFAULT_MAX_PENDING_OUTPUT);
	}

	/**
	 * @param filter checks every message before delivery
	 * @param maxPendingOutput unread output, in bytes, past which a member is disconnected
	 */
	public ChatRoom(ChatMessageFilter filter, long maxPendingOutput) {
		if (maxPendingOutput < 1) {
			throw new IllegalArgumentException("maxPendingOutput must be at least 1 but was " + maxPendingOutput);
		}
		this.filter = filter;
		this.maxPendingOutput = maxPendingOutput;
	}

	/** @return the names of the logged-in members, sorted case-insensitively */
	public List<String> memberNames() {
		List<String> names = new ArrayList<>();
		for (ChatMember member : this.present) {
			String name = member.name();
			if (name != null) {
				names.add(name);
			}
		}
		names.sort(String.CASE_INSENSITIVE_ORDER);
		return Collections.unmodifiableList(names);
	}

	/** @return the logged-in member of that name (case-insensitive) */
	public Optional<ChatMember> member(String name) {
		return Optional.ofNullable(this.members.get(key(name)));
	}

	/** @return the number of logged-in members */
	public int size() {
		return this.present.size();
	}

	public long maxPendingOutput() {
		return this.maxPendingOutput;
	}

	/** @return members disconnected so far for not reading their output */
	public long slowMemberDisconnects() {
		return this.slowDisconnects.sum();
	}

	/**
	 * Sends a server notice ({@code * text}) to every logged-in member.
	 * @param text the notice; line breaks become spaces
	 */
	public void announce(String text) {
		broadcast(null, "* " + singleLine(text));
	}

	// ---------------------------------------------------------------- protocol side

	/**
	 * Claims {@code name} for {@code member}, releasing its previous name.
	 * @return {@code null} on success, otherwise the refusal for the client
	 */
	String claim(ChatMember member, String name) {
		if (!VALID_NAME.matcher(name).matches()) {
			return "Invalid name '" + singleLine(name) + "': use 1 to 24 letters, digits, '_', '-' or '.'";
		}
		if (this.shuttingDown) {
			return "The server is shutting down";
		}
		ChatMember holder = this.members.putIfAbsent(key(name), member);
		if (holder != null && holder != member) {
			return "The name '" + name + "' is taken; choose another";
		}
		String previous = member.name();
		if (previous != null && !key(previous).equals(key(name))) {
			this.members.remove(key(previous), member);
		}
		member.name(name);
		this.present.add(member);
		return null;
	}

	/** Takes a member out and, unless the server is stopping, tells the others why. */
	void leave(ChatMember member) {
		String name = member.name();
		if (name == null || !this.members.remove(key(name), member)) {
			return;
		}
		this.present.remove(member);
		if (!this.shuttingDown) {
			String reason = member.leaveReason();
			broadcast(member, "* " + name + " left the room" + ((reason != null && !reason.isEmpty()) ? " (" + reason + ")" : ""));
		}
	}

	/** The server is stopping: members are going away together, so no one is told of each leave. */
	void shuttingDown() {
		this.shuttingDown = true;
	}

	/** Sends {@code line} to every logged-in member except {@code from}, in the caller's order. */
	void broadcast(ChatMember from, String line) {
		for (ChatMember member : this.present) {
			if (member != from) {
				deliver(member, line);
			}
		}
	}

	/**
	 * Filters and fans out a room message. Every receiver gets the messages of one sender in the
	 * order sent: they are written from the sender's loop thread, one after another, and each
	 * connection's writes from one thread are queued in order.
	 * @return {@code null} when delivered, otherwise the rejection for the sender
	 */
	String publish(ChatMember from, String text) {
		ChatMessageFilter.Result result = this.filter.filter(from, null, text);
		if (!result.isAccepted()) {
			return result.rejection();
		}
		broadcast(from, from.name() + ": " + singleLine(result.text()));
		return null;
	}

	/**
	 * Filters and delivers a private message.
	 * @return {@code null} when delivered, otherwise the refusal for the sender
	 */
	String sendPrivate(ChatMember from, String to, String text) {
		ChatMember recipient = this.members.get(key(to));
		if (recipient == null || recipient == from) {
			return "No one else here is called '" + singleLine(to) + "'; /who lists the members";
		}
		ChatMessageFilter.Result result = this.filter.filter(from, recipient.name(), text);
		if (!result.isAccepted()) {
			return result.rejection();
		}
		deliver(recipient, from.name() + " (private): " + singleLine(result.text()));
		return null;
	}

	/**
	 * Writes one line to a member, or disconnects it if it has stopped reading. The pending count
	 * is read without synchronisation (it may be slightly stale), which is fine for a threshold; the
	 * reactor's exact hard cap stays behind it.
	 */
	void deliver(ChatMember member, String line) {
		long pending = member.connection().pendingOutboundBytes();
		if (pending > this.maxPendingOutput) {
			if (member.leaving("not reading: " + pending + " bytes of messages unread")) {
				this.slowDisconnects.increment();
				log.log(Level.WARNING, () -> "Disconnecting " + member + ": " + pending
						+ " bytes of output unread, over the chat limit of " + this.maxPendingOutput);
				member.connection().close();
			}
			return;
		}
		member.connection().send(line);
	}

	static String key(String name) {
		return name.toLowerCase(Locale.ROOT);
	}

	/**
	 * Makes text safe to relay as one line: a message from a length-prefixed client may carry line
	 * breaks or other control characters, which would forge extra lines for line-based clients.
	 */
	static String singleLine(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x20 || c == 0x7F) {
				return replaceControls(text);
			}
		}
		return text;
	}

	private static String replaceControls(String text) {
		StringBuilder clean = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			clean.append((c < 0x20 || c == 0x7F) ? ' ' : c);
		}
		return clean.toString();
	}

}
