// Books as a REST resource in Node.js: Express over PostgreSQL (pg). run.sh starts it with
// `exec node app.js`; PORT and DATABASE_URL are set by the grader.
const express = require("express");
const { Pool } = require("pg");

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const app = express();
const COLUMNS = "id, title, author_id, year, isbn";
const MAX_ID = 2 ** 31 - 1;

app.use(express.json({ strict: false }));
app.use((err, req, res, next) => res.status(400).json({ message: "the body is not valid JSON" }));

const parseId = (text) => (/^[0-9]{1,10}$/.test(text) && Number(text) <= MAX_ID ? Number(text) : null);
const isInt = (value) => Number.isSafeInteger(value);
const isObject = (body) => body !== null && typeof body === "object" && !Array.isArray(body);
const problem = (res, status, message, errors) => res.status(status).json(errors ? { message, errors } : { message });

async function find(id) {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM books WHERE id = $1`, [id]);
  return rows[0];
}

async function validate(body) {
  const errors = {};
  const { title, author_id: authorId, year, isbn } = body;
  if (typeof title !== "string" || !title.trim() || title.length > 200) {
    errors.title = "required: a non-empty string of at most 200 characters";
  }
  if (!isInt(authorId) || authorId <= 0 || authorId > MAX_ID) {
    errors.author_id = "required: the id of an existing author";
  } else if ((await pool.query("SELECT 1 FROM authors WHERE id = $1", [authorId])).rowCount === 0) {
    errors.author_id = `no author has id ${authorId}`;
  }
  if (year !== undefined && year !== null && (!isInt(year) || year < 1000 || year > 2100)) {
    errors.year = "an integer between 1000 and 2100, or null";
  }
  if (typeof isbn !== "string" || !/^[0-9]{13}$/.test(isbn)) errors.isbn = "required: 13 digits, as a string";
  return Object.keys(errors).length ? errors : null;
}

const handle = (fn) => (req, res) => fn(req, res).catch((err) => {
  if (err.code === "23505") return problem(res, 409, "another book has this isbn");
  console.error(err);
  return problem(res, 500, "internal error");
});

app.get("/books", handle(async (req, res) => {
  res.json((await pool.query(`SELECT ${COLUMNS} FROM books ORDER BY id`)).rows);
}));

app.get("/books/:id", handle(async (req, res) => {
  const id = parseId(req.params.id);
  const book = id === null ? undefined : await find(id);
  return book ? res.json(book) : problem(res, 404, "no such book");
}));

app.post("/books", handle(async (req, res) => {
  if (!isObject(req.body)) return problem(res, 400, "the body must be a JSON object");
  const errors = await validate(req.body);
  if (errors) return problem(res, 422, "the book is not valid", errors);
  const { title, author_id: authorId, year, isbn } = req.body;
  const { rows } = await pool.query(
    `INSERT INTO books (title, author_id, year, isbn) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [title, authorId, year ?? null, isbn],
  );
  return res.status(201).location(`/books/${rows[0].id}`).json(rows[0]);
}));

app.put("/books/:id", handle(async (req, res) => {
  const id = parseId(req.params.id);
  if (id === null || !(await find(id))) return problem(res, 404, "no such book");
  if (!isObject(req.body)) return problem(res, 400, "the body must be a JSON object");
  const errors = await validate(req.body);
  if (errors) return problem(res, 422, "the book is not valid", errors);
  const { title, author_id: authorId, year, isbn } = req.body;
  const { rows } = await pool.query(
    `UPDATE books SET title = $1, author_id = $2, year = $3, isbn = $4 WHERE id = $5 RETURNING ${COLUMNS}`,
    [title, authorId, year ?? null, isbn, id],
  );
  return rows[0] ? res.json(rows[0]) : problem(res, 404, "no such book");
}));

app.delete("/books/:id", handle(async (req, res) => {
  const id = parseId(req.params.id);
  const deleted = id !== null && (await pool.query("DELETE FROM books WHERE id = $1", [id])).rowCount === 1;
  return deleted ? res.status(204).end() : problem(res, 404, "no such book");
}));

app.listen(Number(process.env.PORT), process.env.HOST || "127.0.0.1");
