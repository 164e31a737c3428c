package io.github.tcpserver.protocol.chat;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;

import io.github.tcpserver.protocol.FramedConnection;

/**
 * One client of a {@link ChatRoom}: its connection and, once logged in, its name. Safe to use from
 * any thread; messages sent to it go through the room's bound on unread output.
 */
public final class ChatMember {

	private final FramedConnection<String> connection;

	private final ChatRoom room;

	/** Set on the member's loop at login or rename; read by other loops (/who, message prefixes). */
	private volatile String name;

	/** Why the member is leaving, for the notice to the others; the first reason wins. */
	private final AtomicReference<String> leaveReason = new AtomicReference<>();

	/**
	 * Lines that arrived while a name claim was in flight (reading is paused meanwhile, so these are
	 * only the rest of one read); replayed in order once the claim is answered. Loop thread only;
	 * created on first use, as rooms in this JVM answer at once.
	 */
	ArrayDeque<String> heldFrames;

	/** Whether a claim is in flight; loop thread only. */
	boolean claiming;

	ChatMember(FramedConnection<String> connection, ChatRoom room) {
		this.connection = connection;
		this.room = room;
	}

	/** @return the member's name, or {@code null} before login */
	public String name() {
		return this.name;
	}

	/**
	 * Sets the name once the room has claimed it: for {@link ChatRoom} implementations.
	 * @param name the claimed name
	 */
	public void name(String name) {
		this.name = name;
	}

	public boolean isLoggedIn() {
		return this.name != null;
	}

	/** @return the address the server sees for this client */
	public InetSocketAddress address() {
		return this.connection.remoteAddress();
	}

	/** @return the connection, in the text framing of its listener */
	public FramedConnection<String> connection() {
		return this.connection;
	}

	/**
	 * Sends one line (a line break in {@code text} becomes a space) to this member only.
	 * @param text the text
	 */
	public void send(String text) {
		this.room.deliver(this, ChatText.singleLine(text));
	}

	/**
	 * Disconnects this member at once; the others are told {@code reason}.
	 * @param reason why, in a few words
	 */
	public void disconnect(String reason) {
		leaving(reason);
		this.connection.close();
	}

	/**
	 * Records why the member leaves, unless a reason is already known.
	 * @return {@code true} if this call set the reason
	 */
	public boolean leaving(String reason) {
		return this.leaveReason.compareAndSet(null, reason);
	}

	/** @return why the member is leaving ({@link ChatText#QUIT} after /quit), or {@code null} while it stays */
	public String leaveReason() {
		return this.leaveReason.get();
	}

	@Override
	public String toString() {
		return "ChatMember " + ((this.name != null) ? "'" + this.name + "'" : "(not logged in)") + " from "
				+ address();
	}

}
