/**
 * A chat room protocol over any text framing: {@link io.github.tcpserver.protocol.chat.ChatProtocol}
 * speaks it, {@link io.github.tcpserver.protocol.chat.ChatRoom} holds the members and fans messages out.
 */
package io.github.tcpserver.protocol.chat;
