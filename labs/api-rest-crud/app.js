// The same starter in Node.js (Express + pg). To use it, change run.sh to `exec node app.js`.
// PORT and DATABASE_URL are set by the grader; express and pg are installed by `make setup`.
const express = require("express");
const { Pool } = require("pg");

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const app = express();
app.use(express.json());

app.get("/books", async (req, res) => {
  const { rows } = await pool.query("SELECT id, title, author_id, year, isbn FROM books ORDER BY id");
  res.json(rows);
});

const notYet = (req, res) => res.status(501).json({ message: "not implemented yet" });
app.get("/books/:id", notYet);
app.post("/books", notYet);
app.put("/books/:id", notYet);
app.delete("/books/:id", notYet);

app.listen(Number(process.env.PORT), process.env.HOST || "127.0.0.1");
