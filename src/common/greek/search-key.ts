// PLACEHOLDER until the full module lands (helper-1 is writing it).
import { transliterate } from './elot743.js';
export function searchKey(text: string): string {
  return transliterate(text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase())
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
export function phoneticKey(text: string): string {
  return searchKey(text);
}
