package io.github.tcpserver.protocol.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chat room of one JVM: its members and the fan-out of their messages. Thread-safe: members
 * live on different I/O loops, and the application may call {@link #announce} or
 * {@link #memberNames()} from any thread. Several listeners (a line one, a length-prefixed one) may
 * share one room.
 * <p>
 * A member whose unread output passes {@link #maxPendingOutput()} is disconnected, so one client
 * that stops reading holds neither the room nor unbounded memory.
 */
public final class LocalChatRoom implements ChatRoom {

	/**
	 * Logged-in members by lower-case name: case-insensitive uniqueness comes from putIfAbsent. A
	 * member renaming itself is briefly under both names, so nothing iterates this map.
	 */
	private final ConcurrentHashMap<String, ChatMember> members = new ConcurrentHashMap<>();

	/** Logged-in members, each once, whatever the state of a rename: what broadcasts and /who walk. */
	private final Set<ChatMember> present = ConcurrentHashMap.newKeySet();

	private final ChatMessageFilter filter;

	private final ChatDelivery delivery;

	private volatile boolean shuttingDown;

	/** A room that accepts every message, with the default bound on unread output. */
	public LocalChatRoom() {
		this(ChatMessageFilter.ACCEPT_ALL, DEFAULT_MAX_PENDING_OUTPUT);
	}

	/**
	 * @param filter checks every message before delivery
	 * @param maxPendingOutput unread output, in bytes, past which a member is disconnected
	 */
	public LocalChatRoom(ChatMessageFilter filter, long maxPendingOutput) {
		this.filter = filter;
		this.delivery = new ChatDelivery(maxPendingOutput);
	}

	@Override
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

	@Override
	public Optional<ChatMember> member(String name) {
		return Optional.ofNullable(this.members.get(ChatText.key(name)));
	}

	@Override
	public int size() {
		return this.present.size();
	}

	@Override
	public long maxPendingOutput() {
		return this.delivery.maxPendingOutput();
	}

	@Override
	public long slowMemberDisconnects() {
		return this.delivery.slowMemberDisconnects();
	}

	@Override
	public void announce(String text) {
		broadcast(null, "* " + ChatText.singleLine(text));
	}

	// ---------------------------------------------------------------- protocol side

	@Override
	public CompletionStage<String> claim(ChatMember member, String name) {
		return CompletableFuture.completedFuture(claimNow(member, name));
	}

	/** Claims at once: the name is the member's when this returns {@code null}. */
	String claimNow(ChatMember member, String name) {
		String invalid = ChatText.checkName(name);
		if (invalid != null) {
			return invalid;
		}
		if (this.shuttingDown) {
			return "The server is shutting down";
		}
		ChatMember holder = this.members.putIfAbsent(ChatText.key(name), member);
		if (holder != null && holder != member) {
			return "The name '" + name + "' is taken; choose another";
		}
		String previous = member.name();
		if (previous != null && !ChatText.key(previous).equals(ChatText.key(name))) {
			this.members.remove(ChatText.key(previous), member);
		}
		member.name(name);
		this.present.add(member);
		return null;
	}

	@Override
	public void leave(ChatMember member) {
		String name = member.name();
		if (name == null || !this.members.remove(ChatText.key(name), member)) {
			return;
		}
		this.present.remove(member);
		if (!this.shuttingDown) {
			broadcast(member, ChatText.leaveNotice(name, member.leaveReason()));
		}
	}

	@Override
	public void shuttingDown() {
		this.shuttingDown = true;
	}

	@Override
	public void serving() {
		this.shuttingDown = false;
	}

	/** Sends {@code line} to every logged-in member except {@code from}, in the caller's order. */
	@Override
	public void broadcast(ChatMember from, String line) {
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
	 */
	@Override
	public String publish(ChatMember from, String text) {
		ChatMessageFilter.Result result = this.filter.filter(from, null, text);
		if (!result.isAccepted()) {
			return result.rejection();
		}
		broadcast(from, from.name() + ": " + ChatText.singleLine(result.text()));
		return null;
	}

	@Override
	public String sendPrivate(ChatMember from, String to, String text) {
		ChatMember recipient = this.members.get(ChatText.key(to));
		if (recipient == null || recipient == from) {
			return "No one else here is called '" + ChatText.singleLine(to) + "'; /who lists the members";
		}
		ChatMessageFilter.Result result = this.filter.filter(from, recipient.name(), text);
		if (!result.isAccepted()) {
			return result.rejection();
		}
		deliver(recipient, from.name() + " (private): " + ChatText.singleLine(result.text()));
		return null;
	}

	@Override
	public void deliver(ChatMember member, String line) {
		this.delivery.deliver(member, line);
	}

}
