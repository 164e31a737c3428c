package io.github.tcpserver.context;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

import io.github.tcpserver.protocol.chat.ChatRoom;

/**
 * Tells the context's chat rooms that the server serves again just before it starts listening:
 * a graceful stop marks a room as shutting down (no leave notices, no new names), and a context
 * whose life cycle is stopped and started again (a Spring test context paused and resumed) must
 * not keep that mark. Nothing to do on stop: the server's own stop marks the rooms.
 */
public class ChatRoomLifecycle implements SmartLifecycle {

	private final ObjectProvider<ChatRoom> rooms;

	private volatile boolean running;

	public ChatRoomLifecycle(ObjectProvider<ChatRoom> rooms) {
		this.rooms = rooms;
	}

	@Override
	public void start() {
		this.rooms.orderedStream().forEach(ChatRoom::serving);
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Just before the server: started before it listens, stopped after it has stopped. */
	@Override
	public int getPhase() {
		return SelectorServerLifecycle.PHASE - 1;
	}

}
