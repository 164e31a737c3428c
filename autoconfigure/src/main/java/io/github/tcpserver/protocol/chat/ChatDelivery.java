package io.github.tcpserver.protocol.chat;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes lines to members under the room's bound on unread output: a member past the bound is
 * disconnected instead, so one client that stops reading holds neither the room nor unbounded
 * memory, and never slows the thread that fans out.
 */
public final class ChatDelivery {

	private static final System.Logger log = System.getLogger(ChatDelivery.class.getName());

	private final long maxPendingOutput;

	private final LongAdder slowDisconnects = new LongAdder();

	/** @param maxPendingOutput unread output, in bytes, past which a member is disconnected */
	public ChatDelivery(long maxPendingOutput) {
		if (maxPendingOutput < 1) {
			throw new IllegalArgumentException("maxPendingOutput must be at least 1 but was " + maxPendingOutput);
		}
		this.maxPendingOutput = maxPendingOutput;
	}

	public long maxPendingOutput() {
		return this.maxPendingOutput;
	}

	/** @return members disconnected so far for not reading their output */
	public long slowMemberDisconnects() {
		return this.slowDisconnects.sum();
	}

	/**
	 * Writes one line to a member, or disconnects it if it has stopped reading. The pending count
	 * is read without synchronisation (it may be slightly stale), which is fine for a threshold; the
	 * reactor's exact hard cap stays behind it.
	 */
	public void deliver(ChatMember member, String line) {
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

}
