package io.github.tcpserver.protocol.chat;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import io.github.tcpserver.codec.FrameException;
import io.github.tcpserver.codec.TooLongFrameException;
import io.github.tcpserver.protocol.FrameHandler;
import io.github.tcpserver.protocol.FramedConnection;

/**
 * The chat protocol, one text frame per line, usable with {@code nc} or {@code telnet}. It knows
 * nothing of the framing: run it over lines or length-prefixed UTF-8 frames with a
 * {@link io.github.tcpserver.protocol.FramingHandler}. Lines from the server start with
 * {@code * } (a notice), {@code ! } (an error), or {@code NAME: } (a message).
 *
 * <pre>
 * NAME: alice  or  /nick alice   log in (or change name)
 * text                           say text to everyone else
 * /msg bob text                  say text to bob only
 * /who                           list the members
 * /help                          list the commands
 * /quit                          leave
 * </pre>
 */
public class ChatProtocol implements FrameHandler<String> {

	/**
	 * Lines held while a name claim is in flight. Reading is paused for the claim, so only the rest
	 * of one read can arrive; a client that packs more than this into it is cut off.
	 */
	static final int MAX_HELD_LINES = 256;

	static final String HELP = "* Commands: NAME: <name> or /nick <name> (log in or rename), /who (members),"
			+ " /msg <name> <text> (private), /help, /quit; any other line goes to everyone";

	private final ChatRoom room;

	public ChatProtocol(ChatRoom room) {
		this.room = room;
	}

	public ChatRoom room() {
		return this.room;
	}

	@Override
	public void onOpen(FramedConnection<String> connection) {
		connection.attach(new ChatMember(connection, this.room));
		connection.send("* Welcome to the chat! What is your name? Log in with NAME: <name> or /nick <name>");
	}

	@Override
	public void onFrame(FramedConnection<String> connection, String frame) {
		ChatMember member = member(connection);
		if (member.leaveReason() != null) {
			return; // quitting: lines after /quit in the same read are not acted on
		}
		if (member.claiming) {
			hold(member, frame);
			return;
		}
		String line = frame.strip();
		if (line.isEmpty()) {
			return;
		}
		if (line.regionMatches(true, 0, "NAME:", 0, 5)) {
			login(member, line.substring(5).strip());
		}
		else if (line.charAt(0) == '/') {
			command(member, line);
		}
		else if (!member.isLoggedIn()) {
			error(member, "Log in first: NAME: <name>");
		}
		else {
			refuseIf(member, this.room.publish(member, frame));
		}
	}

	private void command(ChatMember member, String line) {
		int space = line.indexOf(' ');
		String command = (space < 0) ? line : line.substring(0, space);
		String argument = (space < 0) ? "" : line.substring(space + 1).strip();
		switch (command.toLowerCase(Locale.ROOT)) {
			case "/nick" -> login(member, argument);
			case "/help" -> reply(member, HELP);
			case "/quit" -> quit(member);
			case "/who" -> reply(member, "* In the room (" + this.room.size() + "): "
					+ String.join(", ", this.room.memberNames()));
			case "/msg" -> privateMessage(member, argument);
			default -> error(member, "Unknown command '" + ChatText.singleLine(command) + "'; /help lists the commands");
		}
	}

	private void login(ChatMember member, String name) {
		if (name.isEmpty()) {
			error(member, "Give a name: NAME: <name>");
			return;
		}
		String previous = member.name();
		if (name.equals(previous)) {
			reply(member, "* You are already " + name);
			return;
		}
		CompletableFuture<String> claim = this.room.claim(member, name).toCompletableFuture();
		if (claim.isDone()) {
			claimed(member, previous, name, outcome(claim));
			return;
		}
		// A shared room answers on another thread: the member's later lines wait (reading paused,
		// what was already read held) so that they are answered after the login, in order.
		member.claiming = true;
		member.connection().pauseReading();
		claim.whenComplete((refusal, failure) -> member.connection().unwrap().execute(() -> {
			member.claiming = false;
			if (member.leaveReason() == null) {
				claimed(member, previous, name, outcome(claim));
			}
			FramedConnection<String> connection = member.connection();
			while (!member.claiming && member.heldFrames != null && !member.heldFrames.isEmpty()) {
				onFrame(connection, member.heldFrames.poll());
			}
			if (!member.claiming) {
				connection.resumeReading();
			}
		}));
	}

	private static String outcome(CompletableFuture<String> claim) {
		try {
			return claim.join();
		}
		catch (RuntimeException ex) {
			return "The chat cannot log you in now (" + ex.getMessage() + "); try again later";
		}
	}

	private void claimed(ChatMember member, String previous, String name, String refusal) {
		if (refusal != null) {
			error(member, refusal);
			return;
		}
		if (previous == null) {
			// The others are told before the welcome, so that whoever logs in after this member
			// saw its welcome is not in the room yet for this notice. Messages from other loops to
			// this member are tasks on its loop, so they still arrive after the welcome.
			this.room.broadcast(member, "* " + name + " joined the room");
			InetSocketAddress address = member.address();
			reply(member, "* Welcome, " + name + "! You are connected from " + address.getAddress().getHostAddress()
					+ ":" + address.getPort() + ". /help lists the commands");
		}
		else {
			this.room.broadcast(member, "* " + previous + " is now known as " + name);
			reply(member, "* You are now " + name);
		}
	}

	private void hold(ChatMember member, String frame) {
		if (member.heldFrames == null) {
			member.heldFrames = new ArrayDeque<>();
		}
		if (member.heldFrames.size() >= MAX_HELD_LINES) {
			member.leaving("too many lines while logging in");
			error(member, "Too many lines sent while logging in (more than " + MAX_HELD_LINES + "); disconnecting");
			member.connection().closeAfterFlush();
			return;
		}
		member.heldFrames.add(frame);
	}

	private void privateMessage(ChatMember member, String argument) {
		if (!member.isLoggedIn()) {
			error(member, "Log in first: NAME: <name>");
			return;
		}
		int space = argument.indexOf(' ');
		if (space < 0) {
			error(member, "Usage: /msg <name> <text>");
			return;
		}
		refuseIf(member, this.room.sendPrivate(member, argument.substring(0, space), argument.substring(space + 1)));
	}

	private void quit(ChatMember member) {
		member.leaving(ChatText.QUIT);
		reply(member, "* Bye" + (member.isLoggedIn() ? ", " + member.name() : "") + "!");
		// Out of the room now, not at the close: a graceful close may linger until the peer closes.
		this.room.leave(member);
		member.connection().closeAfterFlush();
	}

	@Override
	public void onFrameError(FramedConnection<String> connection, FrameException error) {
		String problem = (error instanceof TooLongFrameException tooLong)
				? "message too long (the limit is " + tooLong.limit() + " bytes)" : "invalid UTF-8";
		ChatMember member = member(connection);
		member.leaving("protocol error: " + problem);
		error(member, "Protocol error: " + problem + "; disconnecting");
		this.room.leave(member);
	}

	@Override
	public void onInputClosed(FramedConnection<String> connection) {
		ChatMember member = member(connection);
		member.leaving("disconnected");
		this.room.leave(member);
		connection.closeAfterFlush();
	}

	@Override
	public void onShutdown(FramedConnection<String> connection) {
		this.room.shuttingDown();
		ChatMember member = member(connection);
		member.leaving("server shutting down");
		reply(member, "* The server is shutting down. Bye!");
	}

	@Override
	public void onError(FramedConnection<String> connection, Throwable error) {
		member(connection).leaving("connection lost");
	}

	@Override
	public void onClose(FramedConnection<String> connection) {
		ChatMember member = member(connection);
		member.leaving("connection lost");
		this.room.leave(member);
	}

	private static ChatMember member(FramedConnection<String> connection) {
		return (ChatMember) connection.attachment();
	}

	private void refuseIf(ChatMember member, String refusal) {
		if (refusal != null) {
			error(member, refusal);
		}
	}

	/** Replies to the member itself, bypassing the slow-reader check: it is the one talking. */
	private static void reply(ChatMember member, String line) {
		member.connection().send(line);
	}

	private static void error(ChatMember member, String message) {
		reply(member, "! " + message);
	}

}
