package com.acme.summarise;

/** Calls google/gemini-2.5-flash for short summaries. */
public final class Summarise {
    private static final String MODEL = "google/gemini-2.5-flash";
}
