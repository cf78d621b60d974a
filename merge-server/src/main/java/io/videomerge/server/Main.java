package io.videomerge.server;

/** Starts the videomerge service. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("videomerge: the server is not yet runnable (see the open issue for merge-server)");
    }
}
