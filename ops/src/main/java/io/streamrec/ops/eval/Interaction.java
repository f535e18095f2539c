package io.streamrec.ops.eval;

/**
 * One rating as read from a MovieLens file.
 *
 * @param userId user id as decimal text
 * @param itemId item id as decimal text
 * @param rating the explicit rating
 * @param timestamp event time in epoch milliseconds
 */
public record Interaction(String userId, String itemId, float rating, long timestamp) {}
