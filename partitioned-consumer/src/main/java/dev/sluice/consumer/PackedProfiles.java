package dev.sluice.consumer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * One partition's profiles, packed: every entry (key bytes and cache-form value) lies in a few large
 * byte pages, and an open-addressing table of {@code long}s (the key's hash and the entry's address)
 * finds it.
 *
 * <p>Why not a {@code HashMap<String, byte[]>}: at 1M profiles that is about 4M objects (node, key,
 * its bytes, value). Every concurrent GC cycle marks all of them, and a lookup follows four or five
 * pointers, each a likely cache miss at this size (JFR of a 1M-profile drain had {@code HashMap.getNode}
 * and {@code String.hashCode} at a sixth of the processing time). Here a lookup reads one slot and one
 * place in one page, and the whole partition is a few hundred objects.
 *
 * <p>Entry layout: key length (unsigned short), value length (int), key (UTF-8), value. The first page
 * starts small and doubles up to {@link #PAGE_BYTES}; an entry larger than a page gets a page of its own.
 * Address 0 is never an entry, so a zero slot is empty. Deletes shift the probe chain back (no
 * tombstones). A changed value of the same length is written in place; otherwise the entry is
 * appended and the old bytes become garbage, copied out when they exceed half of the live bytes.
 *
 * <p>Not thread-safe: one writer at a time and no reader during a write, as {@link ProfileCache}
 * arranges.
 */
final class PackedProfiles {

    // Just under 1 MiB: with G1's 1 MiB regions (heaps under 2 GiB) a page is a humongous object, and one of
    // exactly 1 MiB plus its array header took two regions, half of them empty (heap per profile 454 B, not ~260).
    static final int PAGE_BYTES = (1 << 20) - 64;
    private static final int OFFSET_BITS = 20;
    private static final int OFFSET_MASK = (1 << OFFSET_BITS) - 1;
    private static final int MAX_PAGES = 1 << (32 - OFFSET_BITS);
    private static final int HEADER_BYTES = 6;
    private static final int MAX_KEY_BYTES = 0xFFFF;
    private static final int FIRST_PAGE_BYTES = 4096;

    private byte[][] pages;
    private int pageCount;
    private int pageUsed; // bytes used in the last page
    private long pageBytes; // the pages' lengths, summed
    private long[] slots;
    private int size;
    private long liveBytes;
    private long garbageBytes;
    private int prefetchSink;

    PackedProfiles() {
        this(16);
    }

    PackedProfiles(int expectedEntries) {
        slots = new long[tableSizeFor(expectedEntries)];
        resetPages();
    }

    int size() {
        return size;
    }

    /** Heap held: the pages and the slot table. */
    long memoryBytes() {
        return pageBytes + (long) slots.length * Long.BYTES;
    }

    /** A copy of the value stored for this UTF-8 key, or null. */
    byte[] get(byte[] key) {
        int slot = slotOf(key);
        return slot < 0 ? null : valueAt(pages, (int) slots[slot]);
    }

    /**
     * Reads the slot and the entry of each key, so that a lookup of those keys right after finds them
     * in the CPU's cache. A lookup costs two cache misses (slot, then entry), one after the other;
     * here the loads of many keys are independent, so their misses overlap (JFR of a 1M-profile drain:
     * the two misses were a fifth of the processing time). Only an optimization: a key not found or a
     * slot taken by another key just wastes its loads.
     */
    void prefetch(byte[][] keys, int count) {
        int mask = slots.length - 1;
        long[] found = new long[count];
        for (int i = 0; i < count; i++) {
            found[i] = slots[hash(keys[i]) & mask];
        }
        int touched = 0;
        for (int i = 0; i < count; i++) {
            int address = (int) found[i];
            if (address != 0) {
                touched += pages[address >>> OFFSET_BITS][address & OFFSET_MASK];
            }
        }
        prefetchSink = touched; // stored, so the compiler keeps the loads
    }

    void put(String key, byte[] value) {
        put(key.getBytes(StandardCharsets.UTF_8), value);
    }

    void put(byte[] key, byte[] value) {
        if (key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("profile key of " + key.length + " bytes: at most " + MAX_KEY_BYTES);
        }
        int hash = hash(key);
        int slot = find(key, hash);
        if (slot >= 0) {
            int address = (int) slots[slot];
            byte[] page = pages[address >>> OFFSET_BITS];
            int offset = address & OFFSET_MASK;
            if (readInt(page, offset + 2) == value.length) {
                System.arraycopy(value, 0, page, offset + HEADER_BYTES + key.length, value.length);
                return;
            }
            discard(key.length, readInt(page, offset + 2));
            slots[slot] = pack(hash, append(key, value));
        } else {
            if ((size + 1) * 5L > slots.length * 3L) { // load factor 0.6
                rehash(slots.length * 2);
                slot = find(key, hash);
            }
            slots[-1 - slot] = pack(hash, append(key, value));
            size++;
        }
        compactIfWasteful();
    }

    /** Removes the key; true if it was there. */
    boolean remove(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int slot = slotOf(bytes);
        if (slot < 0) {
            return false;
        }
        int address = (int) slots[slot];
        discard(bytes.length, readInt(pages[address >>> OFFSET_BITS], (address & OFFSET_MASK) + 2));
        deleteSlot(slot);
        size--;
        compactIfWasteful();
        return true;
    }

    /** Every entry, key decoded, value copied; for tests and diagnostics, not the hot path. */
    void forEach(BiConsumer<String, byte[]> action) {
        for (long slot : slots) {
            if (slot != 0) {
                action.accept(new String(keyAt(pages, (int) slot), StandardCharsets.UTF_8), valueAt(pages, (int) slot));
            }
        }
    }

    /** The slot holding the key, or a negative number if it is absent (or too long to be stored). */
    private int slotOf(byte[] key) {
        return key.length > MAX_KEY_BYTES ? -1 : find(key, hash(key));
    }

    /** The slot holding the key, or {@code -1 - slot} of the empty slot where it would go. */
    private int find(byte[] key, int hash) {
        int mask = slots.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == 0) {
                return -1 - i;
            }
            if ((int) (slot >>> 32) == hash && keyEquals((int) slot, key)) {
                return i;
            }
        }
    }

    private boolean keyEquals(int address, byte[] key) {
        byte[] page = pages[address >>> OFFSET_BITS];
        int offset = address & OFFSET_MASK;
        int from = offset + HEADER_BYTES;
        return readUnsignedShort(page, offset) == key.length && Arrays.equals(page, from, from + key.length, key, 0, key.length);
    }

    // Backward-shift deletion: an entry after the hole moves into it unless its home slot lies between.
    private void deleteSlot(int hole) {
        int mask = slots.length - 1;
        for (int j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
            int home = (int) (slots[j] >>> 32) & mask;
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = 0;
    }

    private int append(byte[] key, byte[] value) {
        int length = HEADER_BYTES + key.length + value.length;
        if (length < 0) {
            throw new IllegalArgumentException("profile of " + value.length + " bytes is too large to cache");
        }
        byte[] page;
        int offset;
        if (length > PAGE_BYTES) {
            page = newPage(length); // a page of its own; the next entry starts a new page
            offset = 0;
            pageUsed = length;
        } else {
            page = pages[pageCount - 1];
            if (pageUsed + length > page.length) {
                if (pageUsed + length <= PAGE_BYTES) {
                    // The last page grows in place: an address holds the page's index, not the array.
                    pageBytes -= page.length;
                    page = Arrays.copyOf(page, Math.min(PAGE_BYTES, Math.max(page.length * 2, pageUsed + length)));
                    pageBytes += page.length;
                    pages[pageCount - 1] = page;
                } else {
                    page = newPage(PAGE_BYTES); // past the first page, every page is full size
                    pageUsed = 0;
                }
            }
            offset = pageUsed;
            pageUsed += length;
        }
        page[offset] = (byte) (key.length >>> 8);
        page[offset + 1] = (byte) key.length;
        writeInt(page, offset + 2, value.length);
        System.arraycopy(key, 0, page, offset + HEADER_BYTES, key.length);
        System.arraycopy(value, 0, page, offset + HEADER_BYTES + key.length, value.length);
        liveBytes += length;
        return ((pageCount - 1) << OFFSET_BITS) | offset;
    }

    private byte[] newPage(int bytes) {
        if (pageCount == MAX_PAGES) {
            throw new IllegalStateException("a partition's profile cache is limited to " + MAX_PAGES + " pages of "
                    + (PAGE_BYTES >> 20) + " MiB");
        }
        if (pageCount == pages.length) {
            pages = Arrays.copyOf(pages, pages.length * 2);
        }
        byte[] page = new byte[bytes];
        pages[pageCount++] = page;
        pageBytes += bytes;
        return page;
    }

    private void resetPages() {
        pages = new byte[4][];
        pageCount = 0;
        pageBytes = 0;
        newPage(FIRST_PAGE_BYTES);
        pageUsed = 1; // address 0 stays unused: a zero slot means empty
        liveBytes = 0;
        garbageBytes = 0;
    }

    private void discard(int keyLength, int valueLength) {
        long length = HEADER_BYTES + keyLength + (long) valueLength;
        liveBytes -= length;
        garbageBytes += length;
    }

    private void compactIfWasteful() {
        if (garbageBytes > PAGE_BYTES && garbageBytes * 2 > liveBytes) {
            long[] old = slots;
            byte[][] oldPages = pages;
            resetPages();
            for (int i = 0; i < old.length; i++) {
                if (old[i] != 0) {
                    old[i] = pack((int) (old[i] >>> 32), copyEntry(oldPages, (int) old[i]));
                }
            }
            slots = old;
        }
    }

    private int copyEntry(byte[][] from, int address) {
        return append(keyAt(from, address), valueAt(from, address));
    }

    private static byte[] keyAt(byte[][] pages, int address) {
        byte[] page = pages[address >>> OFFSET_BITS];
        int offset = address & OFFSET_MASK;
        return Arrays.copyOfRange(page, offset + HEADER_BYTES, offset + HEADER_BYTES + readUnsignedShort(page, offset));
    }

    private static byte[] valueAt(byte[][] pages, int address) {
        byte[] page = pages[address >>> OFFSET_BITS];
        int offset = address & OFFSET_MASK;
        int valueOffset = offset + HEADER_BYTES + readUnsignedShort(page, offset);
        return Arrays.copyOfRange(page, valueOffset, valueOffset + readInt(page, offset + 2));
    }

    private void rehash(int capacity) {
        long[] old = slots;
        slots = new long[capacity];
        int mask = capacity - 1;
        for (long slot : old) {
            if (slot != 0) {
                int i = (int) (slot >>> 32) & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = slot;
            }
        }
    }

    private static long pack(int hash, int address) {
        return ((long) hash << 32) | (address & 0xFFFFFFFFL);
    }

    /** A 31-multiplier hash of the UTF-8 bytes, spread by Murmur3's finalizer (keys differ mostly in their last bytes). */
    static int hash(byte[] key) {
        int h = 0;
        for (byte b : key) {
            h = 31 * h + b;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    private static int tableSizeFor(int expectedEntries) {
        long wanted = Math.max(16, (long) Math.ceil(expectedEntries / 0.6));
        return (int) Math.min(1 << 30, Long.highestOneBit(wanted - 1) << 1);
    }

    private static int readUnsignedShort(byte[] page, int offset) {
        return ((page[offset] & 0xFF) << 8) | (page[offset + 1] & 0xFF);
    }

    private static int readInt(byte[] page, int offset) {
        return ((page[offset] & 0xFF) << 24) | ((page[offset + 1] & 0xFF) << 16) | ((page[offset + 2] & 0xFF) << 8)
                | (page[offset + 3] & 0xFF);
    }

    private static void writeInt(byte[] page, int offset, int value) {
        page[offset] = (byte) (value >>> 24);
        page[offset + 1] = (byte) (value >>> 16);
        page[offset + 2] = (byte) (value >>> 8);
        page[offset + 3] = (byte) value;
    }
}
