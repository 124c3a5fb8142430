// Starts localrank for this store: the wasm module, the model from public/models/ (cached), and
// the shopper's history from this browser's IndexedDB.

import init, { Recommender } from "localrank";
import { fetchModel, forgetModel } from "./model-cache";

const MODEL_URL = `${import.meta.env.BASE_URL}models/scientific.lrm`;

export interface Engine {
  rec: Recommender;
  modelFromCache: boolean;
}

export async function startEngine(): Promise<Engine> {
  const [, model] = await Promise.all([init(), fetchModel(MODEL_URL)]);
  try {
    const rec = await Recommender.load(model.bytes, { namespace: "storefront" });
    return { rec, modelFromCache: model.fromCache };
  } catch (err) {
    if (!model.fromCache) throw err;
    // A cached copy that no longer loads: fetch a fresh one, once.
    await forgetModel(MODEL_URL);
    const fresh = await fetchModel(MODEL_URL);
    return { rec: await Recommender.load(fresh.bytes, { namespace: "storefront" }), modelFromCache: false };
  }
}
